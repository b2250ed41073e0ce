import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AuthorityRegistry } from '../ingest/authorities.js';
import { ChangeLog } from '../linkage/changes.js';
import { countReviewItems, listEntry, listReviewItems, REVIEW_SORTS, REVIEW_STATUSES, reviewItemDetail, type CursorKey, type ListFilter, type ReviewSort } from '../linkage/review-queue.js';
import { resolveReview, StewardError, type StewardDeps } from '../linkage/steward.js';
import type { Db } from '../storage/db.js';
import { requireRole, type ApiKey, type AuthVariables } from './auth.js';
import { ApiError } from './errors.js';
import { demographicsView } from './golden-records.js';
import { component, type RouteDoc } from './openapi.js';

/*
 * The stewards' queue over HTTP: GET /api/review-items (a page, filtered and sorted, with an opaque keyset
 * cursor and the total), GET /api/review-items/:id (the pair side by side with the score's waterfall) and
 * POST /api/review-items/:id/resolve. Reads are audited: a queue shows patient names.
 */

/** One message per failed check; it names the parameter, never quotes the value (it may be patient data). */
export function invalid(e: z.ZodError): ApiError {
  const i = e.issues[0]!;
  if (i.code === 'unrecognized_keys') return new ApiError('bad_request', `unsupported parameter${i.keys.length > 1 ? 's' : ''}: ${i.keys.filter((k) => /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/.test(k)).join(', ') || '(unnamed)'}`);
  const where = i.path.length ? i.path.map(String).join('.') : 'body';
  return new ApiError('bad_request', `${where}: ${i.message}`);
}

/** Errors of the use cases, as the API answers them. */
export function stewardError(e: unknown): never {
  if (e instanceof StewardError) throw new ApiError(e.code, e.message);
  throw e;
}

export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const raw = await c.req.json().catch(() => {
    throw new ApiError('bad_request', 'the body must be a JSON object');
  });
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid(r.error);
  return r.data;
}

const score = z.coerce.number().min(0).max(1);

export const listQuerySchema = z
  .object({
    status: z.enum(REVIEW_STATUSES).default('open').meta({ description: 'open (default), resolved or superseded' }),
    authority: z.string().min(1).max(200).optional().meta({ description: "the source record's assigning authority: OID, urn:oid:OID or namespace" }),
    minScore: score.optional().meta({ description: 'match probability at least (0–1)' }),
    maxScore: score.optional().meta({ description: 'match probability at most (0–1)' }),
    sort: z.enum(REVIEW_SORTS).default('age').meta({ description: 'age: oldest first (default); -age: newest first; score: lowest probability first; -score: highest first' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(512).optional().meta({ description: 'nextCursor of the previous page (with the same filters and sort)' }),
  })
  .strict();

export const resolveBodySchema = z
  .object({
    decision: z.enum(['match', 'non-match', 'merge']).meta({
      description: "match: the record joins the candidate golden record; non-match: remembered, not proposed again; merge: the record's golden record and the candidate are one person (the candidate's records move into the record's golden record)",
    }),
    note: z.string().max(2000).optional(),
    /** The version the steward saw: a stale one is a conflict. */
    version: z.number().int().min(1),
  })
  .strict();

/**
 * The cursor: the last item's sort key and id, and a fingerprint of the query it belongs to, so a cursor
 * used with another filter or order is refused instead of silently skipping or repeating items.
 */
function queryPrint(f: ListFilter, sort: ReviewSort) {
  return createHash('sha256').update(JSON.stringify([f.status, f.authorityId ?? null, f.minScore ?? null, f.maxScore ?? null, sort])).digest('base64url').slice(0, 8);
}

function encodeCursor(print: string, k: CursorKey) {
  return Buffer.from(JSON.stringify({ q: print, k: k.key, i: k.id })).toString('base64url');
}

const cursorSchema = z.object({ q: z.string(), k: z.string().max(64), i: z.number().int().positive() });

function decodeCursor(cursor: string, print: string): CursorKey {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError('bad_request', 'cursor is not one this API gave out');
  }
  if (parsed.q !== print) throw new ApiError('bad_request', 'cursor belongs to a query with other filters or another sort');
  // The key goes back into SQL as a parameter cast to real or timestamptz; refuse anything else before it gets there.
  if (!/^[0-9eE.+:\- ]+$/.test(parsed.k)) throw new ApiError('bad_request', 'cursor is not one this API gave out');
  return { key: parsed.k, id: parsed.i };
}

function itemId(c: Context): number {
  const raw = c.req.param('id') ?? '';
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw new ApiError('bad_request', 'id must be a review item id (a positive integer)');
  return id;
}

export interface ReviewApiDeps {
  db: Db;
  registry: AuthorityRegistry;
  keys: ApiKey[];
  steward: StewardDeps;
  /** After a steward's change: the worker may have skipped a batch while the lock was held. */
  onChanged?: () => void;
}

export type ListQuery = z.infer<typeof listQuerySchema>;

/**
 * A page of the queue as a reader asked for it, audited (`review.list`, the ids shown): the REST list and
 * the steward UI's queue both read through here.
 */
export async function reviewQueuePage(deps: Pick<ReviewApiDeps, 'db' | 'registry'>, p: ListQuery, actor: string) {
  let authorityId: number | undefined;
  if (p.authority !== undefined) {
    const a = deps.registry.findBySystem(p.authority) ?? (await deps.registry.refresh(deps.db), deps.registry.findBySystem(p.authority));
    if (!a) throw new ApiError('bad_request', 'authority is not a known assigning authority');
    authorityId = a.id;
  }
  if (p.minScore !== undefined && p.maxScore !== undefined && p.minScore > p.maxScore) throw new ApiError('bad_request', 'minScore is above maxScore');
  const filter: ListFilter = { status: p.status, authorityId, minScore: p.minScore, maxScore: p.maxScore };
  const print = queryPrint(filter, p.sort);
  const after = p.cursor === undefined ? undefined : decodeCursor(p.cursor, print);
  const [page, total] = await Promise.all([listReviewItems(deps.db, { ...filter, sort: p.sort, limit: p.limit, after }), countReviewItems(deps.db, filter)]);
  const last = page.rows[page.rows.length - 1];
  const items = page.rows.map((r) => listEntry(deps.registry, r));
  const audit = new ChangeLog();
  audit.record(actor, 'review.list', 'review_items', p.status, null, { items: items.map((i) => i.id), sort: p.sort, authorityId: authorityId ?? null, minScore: p.minScore ?? null, maxScore: p.maxScore ?? null, total });
  await audit.flush(deps.db);
  return { items, nextCursor: page.more && last ? encodeCursor(print, { key: last.sortKey, id: last.id }) : null, total, filter };
}

/** One item for the side-by-side view, audited (`review.read`); not_found when there is none. */
export async function readReviewItem(deps: Pick<ReviewApiDeps, 'db' | 'registry'>, id: number, actor: string) {
  const detail = await reviewItemDetail(deps.db, deps.registry, id);
  if (!detail) throw new ApiError('not_found', 'no such review item');
  const audit = new ChangeLog();
  audit.record(actor, 'review.read', 'review_item', id, null, {
    sourceRecordId: detail.sourceRecord?.id ?? null,
    candidateRecordId: detail.candidate.bestMember?.id ?? null,
    candidateGoldenId: detail.candidate.goldenId,
  });
  await audit.flush(deps.db);
  return detail;
}

export function reviewItemRoutes(deps: ReviewApiDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/review-items', async (c) => {
    const parsed = listQuerySchema.safeParse(c.req.query());
    if (!parsed.success) throw invalid(parsed.error);
    const { items, nextCursor, total } = await reviewQueuePage(deps, parsed.data, `api:${c.get('apiKey').id}`);
    return c.json({ items, nextCursor, total });
  });

  app.get('/review-items/:id', async (c) => c.json(await readReviewItem(deps, itemId(c), `api:${c.get('apiKey').id}`)));

  app.post('/review-items/:id/resolve', requireRole(deps.keys, 'steward'), async (c) => {
    const id = itemId(c);
    const body = await jsonBody(c, resolveBodySchema);
    const result = await resolveReview(deps.steward, `api:${c.get('apiKey').id}`, id, body).catch(stewardError);
    deps.onChanged?.();
    return c.json(result);
  });

  return app;
}

// ------------------------------------------------------------------------------------------------ OpenAPI

const int = z.number().int();
const recordSummary = {
  system: z.string().nullable().meta({ description: 'urn:oid:<OID>, or the namespace of an authority without an OID' }),
  authority: z.string().nullable().meta({ description: "the assigning authority's name" }),
  value: z.string().nullable(),
  name: z.string().nullable().meta({ description: 'given and family name, folded (upper case, no accents)' }),
  birthDate: z.string().nullable(),
};

export const reviewItemSummarySchema = component(
  'ReviewItemSummary',
  z.object({
    id: int,
    status: z.enum(REVIEW_STATUSES),
    version: int.meta({ description: 'pass it back to resolve' }),
    score: z.number().meta({ description: 'match probability (0–1) when the pair was scored' }),
    weight: z.number().meta({ description: 'total match weight, log2 of the odds' }),
    reasons: z.array(z.string()).meta({ description: 'why it is a question: between-thresholds, same-authority, several-golden-records, linked-elsewhere (the record was linked to a golden record it matches far better), household, updated-record, and vetoes' }),
    modelVersion: int,
    createdAt: z.string(),
    sourceRecord: z.object({ id: int, ...recordSummary, goldenId: z.guid().nullable().meta({ description: 'where the record waits meanwhile' }) }),
    candidate: z.object({ goldenId: z.guid(), recordId: int.meta({ description: 'the member that scored best' }), ...recordSummary }),
    decision: z.enum(['match', 'non-match', 'merge']).nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    note: z.string().nullable(),
  }),
);

export const reviewItemPageSchema = component(
  'ReviewItemPage',
  z.object({
    items: z.array(reviewItemSummarySchema),
    nextCursor: z.string().nullable().meta({ description: 'cursor= for the next page; null on the last' }),
    total: int.meta({ description: 'items matching the filters, on every page' }),
  }),
);

const recordView = z.object({
  id: int,
  system: z.string().nullable(),
  authority: z.string().nullable(),
  value: z.string().nullable(),
  identifierType: z.string().nullable(),
  status: z.string(),
  goldenId: z.guid().nullable(),
  linkKind: z.string().nullable().meta({ description: 'new | asserted | a40 | auto | steward' }),
  sender: z.string().nullable(),
  version: int,
  updatedAt: z.string(),
  demographics: demographicsView.nullable(),
});

export const waterfallSchema = component(
  'MatchWeightWaterfall',
  z.object({
    prior: z.number().meta({ description: 'log2(λ/(1−λ)): the weight before any comparison' }),
    priorProbability: z.number(),
    contributions: z.array(
      z.object({
        comparison: z.string().meta({ description: "a comparison of the model, or 'household' (level shared-residence: the household correction; residence-withheld: the home not counted between records whose names or birth years say another person)" }),
        level: z.string(),
        levelIndex: int,
        weight: z.number().meta({ description: 'log2(m/u) of the level' }),
        tfAdjustment: z.number().meta({ description: 'term-frequency adjustment (rare names weigh more)' }),
        total: z.number().meta({ description: 'weight + tfAdjustment: this bar of the waterfall' }),
        cumulative: z.number().meta({ description: 'prior + every total so far' }),
        probabilityAfter: z.number().meta({ description: 'the match probability at the cumulative weight' }),
        m: z.number().optional(),
        u: z.number().optional(),
        bayesFactor: z.number().optional().meta({ description: '2^total: how many times likelier this outcome is for a match' }),
      }),
    ),
    sum: z.number().meta({ description: 'prior + Σ totals (= weight)' }),
    weight: z.number(),
    probability: z.number(),
  }),
  'The score taken apart as Splink draws it: from the prior, each comparison adds its bar; the bars add up to the total weight.',
);

export const reviewItemSchema = component(
  'ReviewItem',
  z.object({
    id: int,
    status: z.enum(REVIEW_STATUSES),
    version: int,
    createdAt: z.string(),
    messageId: int.nullable(),
    score: z.number(),
    weight: z.number(),
    reasons: z.array(z.string()),
    decision: z.enum(['match', 'non-match', 'merge']).nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    note: z.string().nullable(),
    model: z.object({ version: int, name: z.string().nullable(), thresholds: z.object({ upper: z.number(), lower: z.number() }).nullable() }),
    explanation: waterfallSchema,
    stale: z.boolean().meta({ description: 'either record changed after the pair was scored' }),
    sourceRecord: recordView.nullable(),
    candidate: z.object({
      goldenId: z.guid(),
      bestMember: recordView.nullable().meta({ description: 'the member of the golden record that scored best against the source record' }),
      golden: z
        .object({
          id: z.guid(),
          status: z.string(),
          mergedIntoId: z.guid().nullable(),
          version: int,
          updatedAt: z.string(),
          demographics: demographicsView.nullable().meta({ description: 'the survived view' }),
          provenance: z.record(z.string(), int).nullable().meta({ description: 'source record id per survived field' }),
          members: z.array(z.object({ id: int, system: z.string().nullable(), authority: z.string().nullable(), value: z.string().nullable(), identifierType: z.string().nullable(), status: z.string(), linkKind: z.string().nullable() })),
        })
        .nullable(),
    }),
    fields: z.array(
      z.object({
        field: z.string(),
        source: z.string().nullable(),
        candidate: z.string().nullable().meta({ description: 'the best member' }),
        golden: z.string().nullable(),
        same: z.boolean().nullable().meta({ description: 'source and candidate agree ignoring case, accents and punctuation; null when either is missing' }),
      }),
    ),
  }),
  'One review item with both records side by side, the golden record, and the score as a waterfall.',
);

export const resolveResultSchema = component(
  'ReviewResolution',
  z.object({
    id: int,
    status: z.literal('resolved'),
    decision: z.enum(['match', 'non-match', 'merge']),
    version: int,
    goldenId: z.guid().meta({ description: 'the golden record the source record is in afterwards' }),
    nonMatchPairs: int.meta({ description: 'record pairs remembered as not the same person' }),
    superseded: int.meta({ description: "the record's other open items closed by a match" }),
  }),
);

const idParams = z.object({ id: z.string().regex(/^[1-9][0-9]*$/).meta({ description: 'review item id' }) });

export const reviewItemDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/review-items',
    summary: 'The review queue: a page of review items, filtered and sorted',
    description: 'Keyset pagination: pass nextCursor back as cursor= with the same filters and sort. Audited (the items listed).',
    tags: ['review'],
    role: 'reader',
    query: listQuerySchema,
    responses: { 200: { description: 'a page', schema: reviewItemPageSchema } },
    errors: ['bad_request'],
  },
  {
    method: 'get',
    path: '/api/review-items/:id',
    summary: 'One review item: both records side by side, the golden record and the match-weight waterfall',
    description: 'Audited.',
    tags: ['review'],
    role: 'reader',
    params: idParams,
    responses: { 200: { description: 'the item', schema: reviewItemSchema } },
    errors: ['bad_request', 'not_found'],
  },
  {
    method: 'post',
    path: '/api/review-items/:id/resolve',
    summary: "A steward's answer: match (link) or non-match (remembered)",
    description:
      'version must be the one read: a stale version, or an item no longer open, is a conflict (409). match: the source record joins the candidate golden record (kind steward); ' +
      'its golden record, if left empty, is retired into it; its other open items close. non-match: the pair (the record and each member of the candidate golden record) ' +
      'is not proposed again until either record’s data changes.',
    tags: ['review'],
    role: 'steward',
    params: idParams,
    body: { schema: resolveBodySchema },
    responses: { 200: { description: 'resolved', schema: resolveResultSchema } },
    errors: ['bad_request', 'not_found', 'conflict'],
  },
];
