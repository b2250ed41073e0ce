import { Hono } from 'hono';
import { z } from 'zod';
import type { Authority, AuthorityRegistry } from '../ingest/authorities.js';
import { systemOf } from '../ingest/authorities.js';
import type { Db } from '../storage/db.js';
import type { AuthVariables } from './auth.js';
import { ApiError } from './errors.js';
import { actorOf, knowAuthorities, safeText, singleQuery } from './input.js';
import { component, type RouteDoc } from './openapi.js';
import { parseToken, settledCrosswalk, type Settle } from './pixm.js';

/** The REST crosswalk: PIXm's question, answered with every identifier (retired ones too) and its authority. */

const crosswalkQuery = z.object({
  identifier: safeText(400).meta({ description: '<system>|<value>; the system is urn:oid:<OID>, a bare OID, or a configured namespace' }),
  target: safeText(2000).optional().meta({ description: 'only identifiers of these systems (comma-separated, same forms); an unknown one is refused (403), as PIXm does' }),
});

export const crosswalkSchema = component(
  'Crosswalk',
  z.object({
    goldenId: z.guid(),
    identifiers: z.array(
      z.object({
        system: z.string().meta({ description: 'urn:oid:<OID>, or the namespace of an authority without an OID' }),
        namespace: z.string().nullable(),
        oid: z.string().nullable(),
        value: z.string(),
        type: z.string().nullable().meta({ description: 'CX.5 identifier type as sent (MR, PI, …)' }),
        status: z.enum(['active', 'merged']).meta({ description: 'merged: retired by an A40; it still resolves to this golden record' }),
      }),
    ),
  }),
  'A golden record and every identifier of its source records.',
);

export const crosswalkDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/crosswalk',
    summary: 'Crosswalk: the golden record of an identifier and all its identifiers',
    description:
      'Read-your-writes as PIXm: waits (5 s at most) for messages already ACKed that name the identifier. A retired identifier resolves like its survivor. Audited.',
    tags: ['crosswalk'],
    role: 'reader',
    query: crosswalkQuery,
    responses: { 200: { description: 'the golden record and its identifiers', schema: crosswalkSchema } },
    errors: ['bad_request', 'unknown_source_domain', 'unknown_target_domain', 'not_found'],
  },
];

export function crosswalkRoutes(db: Db, registry: AuthorityRegistry, settle?: Settle) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/crosswalk', async (c) => {
    const q = singleQuery(c, crosswalkQuery);
    const { system, value } = parseToken(q.identifier, 'identifier');
    const authority = registry.findBySystem(system) ?? (await registry.refresh(db), registry.findBySystem(system));
    if (!authority) throw new ApiError('unknown_source_domain', 'identifier system is not a known assigning authority');
    const targets = q.target
      ?.split(',')
      .filter(Boolean)
      .map((t) => {
        const a = registry.findBySystem(t);
        if (!a) throw new ApiError('unknown_target_domain', 'target system is not a known assigning authority');
        return a.id;
      });
    const result = await settledCrosswalk(db, authority, value, settle, { actor: actorOf(c), action: 'crosswalk.query', missing: { entityType: 'query', entityId: '-' }, detail: { target: !!targets } });
    if (!result) throw new ApiError('not_found', 'identifier not found');
    await knowAuthorities(db, registry, result.identifiers.map((i) => i.authorityId));
    const identifiers = [];
    for (const id of result.identifiers) {
      if (targets && !targets.includes(id.authorityId)) continue;
      const a: Authority | undefined = registry.get(id.authorityId);
      if (!a) continue;
      identifiers.push({ system: systemOf(a), namespace: a.namespace, oid: a.oid, value: id.identifier, type: id.identifierType, status: id.status as 'active' | 'merged' });
    }
    return c.json({ goldenId: result.goldenId, identifiers } satisfies z.infer<typeof crosswalkSchema>);
  });
  return app;
}
