import { Hono } from 'hono';
import type { Authority, AuthorityRegistry } from '../ingest/authorities.js';
import { systemOf } from '../ingest/authorities.js';
import { crosswalk, type CrosswalkAudit, type CrosswalkResult } from '../linkage/crosswalk.js';
import type { Db } from '../storage/db.js';
import type { AuthVariables } from './auth.js';
import { ApiError } from './errors.js';

/** `system|value`, as FHIR token search parameters are written. */
export function parseToken(param: string, name: string): { system: string; value: string } {
  // Nothing legitimate carries a control character; one in an identifier is refused, never looked up or echoed.
  if (/\p{Cc}/u.test(param)) throw new ApiError('bad_request', `${name} must not contain control characters`);
  const bar = param.indexOf('|');
  if (bar <= 0 || bar === param.length - 1) throw new ApiError('bad_request', `${name} must be <system>|<value>, e.g. urn:oid:1.2.3|12345`);
  return { system: param.slice(0, bar), value: param.slice(bar + 1) };
}

/**
 * Read-your-writes for the crosswalk: `wait` resolves once messages already ACKed that could change the
 * answer for this identifier have been applied (or a bound has passed). `found` says whether the
 * identifier is on file now: an unknown one waits for any backlog, a known one only for messages that
 * name it. `mayWait` is the cheap test first: false when nothing stored is waiting to be applied.
 */
export interface Settle {
  mayWait(authority: Authority, value: string): boolean;
  wait(authority: Authority, value: string, found: boolean): Promise<void>;
}

/**
 * The crosswalk read behind PIXm and the REST crosswalk, audited once: with nothing to wait for (the usual
 * case) one statement reads and writes the audit row; otherwise a first read tells whether the identifier
 * is on file, and the audited read follows the wait.
 */
export async function settledCrosswalk(db: Db, authority: Authority, value: string, settle: Settle | undefined, audit: CrosswalkAudit): Promise<CrosswalkResult | undefined> {
  if (settle?.mayWait(authority, value)) await settle.wait(authority, value, !!(await crosswalk(db, authority.id, value)));
  return crosswalk(db, authority.id, value, audit);
}

/** IHE PIXm ITI-83: GET /fhir/Patient/$ihe-pix (and the POST form with a Parameters body is left out). */
export function pixmRoutes(db: Db, registry: AuthorityRegistry, settle?: Settle) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/Patient/$ihe-pix', async (c) => {
    const source = c.req.query('sourceIdentifier');
    if (!source) throw new ApiError('bad_request', 'sourceIdentifier is required');
    const { system, value } = parseToken(source, 'sourceIdentifier');
    const authority = registry.findBySystem(system) ?? (await registry.refresh(db), registry.findBySystem(system));
    if (!authority) throw new ApiError('unknown_source_domain', 'sourceIdentifier Assigning Authority not found');
    const targets = c.req
      .queries('targetSystem')
      ?.flatMap((t) => t.split(','))
      .filter(Boolean)
      .map((t) => {
        const a = registry.findBySystem(t);
        if (!a) throw new ApiError('unknown_target_domain', 'targetSystem not found');
        return a.id;
      });
    const result = await settledCrosswalk(db, authority, value, settle, {
      actor: `api:${c.get('apiKey').id}`,
      action: 'pixm.query',
      missing: { entityType: 'identifier', entityId: systemOf(authority) },
      detail: {},
    });
    if (!result) throw new ApiError('not_found', 'sourceIdentifier Patient Identifier not found');
    const parameter: unknown[] = [];
    for (const id of result.identifiers) {
      if (id.status !== 'active') continue;
      if (id.authorityId === authority.id && id.identifier === value) continue;
      if (targets && !targets.includes(id.authorityId)) continue;
      const a = registry.get(id.authorityId);
      if (!a) continue;
      parameter.push({ name: 'targetIdentifier', valueIdentifier: { system: systemOf(a), value: id.identifier } });
    }
    parameter.push({ name: 'targetId', valueReference: { reference: `Patient/${result.goldenId}` } });
    return c.json({ resourceType: 'Parameters', parameter }, 200, { 'content-type': 'application/fhir+json' });
  });
  return app;
}
