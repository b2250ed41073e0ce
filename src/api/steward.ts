import { Hono } from 'hono';
import { z } from 'zod';
import { linkRecord, mergeGoldens, unlinkRecord, unmerge, type StewardDeps } from '../linkage/steward.js';
import { requireRole, type ApiKey, type AuthVariables } from './auth.js';
import { component, type RouteDoc } from './openapi.js';
import { jsonBody, stewardError } from './review-items.js';

/*
 * A steward's manual actions on who-is-who. Each names its reason in `note` (kept in the audit log with the
 * key that did it) and runs as one transaction under the ingest worker's lock (linkage/steward.ts).
 */

const text = (max: number) => z.string().max(max).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const note = z.string().trim().min(1, 'a note saying why is required').max(2000);
export const recordRefSchema = z
  .object({
    system: text(200).min(1).meta({ description: 'assigning authority: OID, urn:oid:OID or namespace' }),
    value: text(200).min(1),
  })
  .strict();
const goldenId = z.guid();

export const linkBodySchema = z
  .object({
    sourceRecord: recordRefSchema,
    goldenId,
    note,
    force: z.boolean().optional().meta({ description: 'link although the golden record holds another active record of the same authority' }),
  })
  .strict();
export const unlinkBodySchema = z.object({ sourceRecord: recordRefSchema, note }).strict();
export const mergeBodySchema = z
  .object({
    from: goldenId.meta({ description: 'golden record retired into `into`' }),
    into: goldenId,
    note,
    force: z.boolean().optional().meta({ description: 'merge although both hold active records of one authority' }),
  })
  .strict();
export const unmergeBodySchema = z
  .object({
    mergeEventId: z.guid().optional().meta({ description: 'id of the golden.merged event to undo (GET /api/events)' }),
    goldenId: goldenId.optional().meta({ description: 'a golden record retired by a merge: its latest merge is undone' }),
    note,
  })
  .strict()
  .refine((b) => (b.mergeEventId === undefined) !== (b.goldenId === undefined), { message: 'give exactly one of mergeEventId and goldenId' });

export function stewardRoutes(deps: { steward: StewardDeps; keys: ApiKey[]; onChanged?: () => void }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const actor = (c: { get(k: 'apiKey'): ApiKey }) => `api:${c.get('apiKey').id}`;
  const done = <T>(r: T) => {
    deps.onChanged?.();
    return r;
  };
  const steward = requireRole(deps.keys, 'steward');

  app.post('/links', steward, async (c) => {
    const body = await jsonBody(c, linkBodySchema);
    return c.json(done(await linkRecord(deps.steward, actor(c), { ...body, goldenId: body.goldenId.toLowerCase() }).catch(stewardError)));
  });
  app.post('/links/unlink', steward, async (c) => {
    const body = await jsonBody(c, unlinkBodySchema);
    return c.json(done(await unlinkRecord(deps.steward, actor(c), body).catch(stewardError)));
  });
  app.post('/golden-records/merge', steward, async (c) => {
    const body = await jsonBody(c, mergeBodySchema);
    return c.json(done(await mergeGoldens(deps.steward, actor(c), { ...body, from: body.from.toLowerCase(), into: body.into.toLowerCase() }).catch(stewardError)));
  });
  app.post('/golden-records/unmerge', steward, async (c) => {
    const body = await jsonBody(c, unmergeBodySchema);
    return c.json(done(await unmerge(deps.steward, actor(c), { note: body.note, mergeEventId: body.mergeEventId?.toLowerCase(), goldenId: body.goldenId?.toLowerCase() }).catch(stewardError)));
  });
  return app;
}

// ------------------------------------------------------------------------------------------------ OpenAPI

const int = z.number().int();
export const linkResultSchema = component(
  'StewardLink',
  z.object({
    sourceRecordId: int,
    goldenId: z.guid(),
    previousGoldenId: z.guid().nullable(),
    retiredGoldenId: z.guid().nullable().meta({ description: 'the golden record left empty, retired into goldenId (golden.merged)' }),
    movedRecordIds: z.array(int).meta({ description: 'the record and the identifiers an A40 retired into it' }),
  }),
);
export const unlinkResultSchema = component(
  'StewardUnlink',
  z.object({ sourceRecordId: int, goldenId: z.guid().meta({ description: 'the new golden record' }), previousGoldenId: z.guid(), movedRecordIds: z.array(int), nonMatchPairs: int }),
);
export const mergeResultSchema = component(
  'StewardMerge',
  z.object({ mergeEventId: z.guid().meta({ description: 'the golden.merged event; what unmerge takes' }), from: z.guid(), into: z.guid(), sourceRecordIds: z.array(int) }),
);
export const unmergeResultSchema = component(
  'StewardUnmerge',
  z.object({
    goldenId: z.guid().meta({ description: 'the golden record restored' }),
    from: z.guid().meta({ description: 'the golden record its records left' }),
    mergeEventId: z.guid(),
    sourceRecordIds: z.array(int),
    nonMatchPairs: int,
  }),
);

const action = (path: string, summary: string, description: string, body: z.ZodType, schema: z.ZodType): RouteDoc => ({
  method: 'post',
  path,
  summary,
  description: `${description} One transaction under the ingest worker's lock; survivorship recomputed; outbox events and audit rows (who, note) written with the change.`,
  tags: ['steward'],
  role: 'steward',
  body: { schema: body },
  responses: { 200: { description: 'done', schema } },
  errors: ['bad_request', 'not_found', 'conflict'],
});

export const stewardDocs: RouteDoc[] = [
  action(
    '/api/links',
    'Link a source record to a golden record',
    'The record (with identifiers an A40 retired into it) moves, kind steward; a golden record it leaves empty is retired into the target. Refused (409) when the target holds another active record of the same authority, unless force.',
    linkBodySchema,
    linkResultSchema,
  ),
  action('/api/links/unlink', 'Unlink a source record into a new golden record', 'Remembers the record as not the person of the members it leaves.', unlinkBodySchema, unlinkResultSchema),
  action('/api/golden-records/merge', 'Merge two golden records', 'Every record of from moves to into; from is retired (golden.merged, reason steward).', mergeBodySchema, mergeResultSchema),
  action(
    '/api/golden-records/unmerge',
    'Undo a merge (or an automatic relink that retired a golden record)',
    'By the golden.merged event id or the retired golden record: its records go back with the link kinds they had (links history), the golden record is active again (golden.unmerged). 409 when any of them moved since.',
    unmergeBodySchema,
    unmergeResultSchema,
  ),
];
