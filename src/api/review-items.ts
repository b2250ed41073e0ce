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
    decision: z.enum(['match', 'non-match']),
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

export function reviewItemRoutes(deps: ReviewApiDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/review-items', async (c) => {
    const parsed = listQuerySchema.safeParse(c.req.query());
    if (!parsed.success) throw invalid(parsed.error);
    const p = parsed.data;
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
    audit.record(`api:${c.get('apiKey').id}`, 'review.list', 'review_items', p.status, null, { items: items.map((i) => i.id), sort: p.sort, authorityId: authorityId ?? null, minScore: p.minScore ?? null, maxScore: p.maxScore ?? null, total });
    await audit.flush(deps.db);
    return c.json({ items, nextCursor: page.more && last ? encodeCursor(print, { key: last.sortKey, id: last.id }) : null, total });
  });

  app.get('/review-items/:id', async (c) => {
    const id = itemId(c);
    const detail = await reviewItemDetail(deps.db, deps.registry, id);
    if (!detail) throw new ApiError('not_found', 'no such review item');
    const audit = new ChangeLog();
    audit.record(`api:${c.get('apiKey').id}`, 'review.read', 'review_item', id, null, {
      sourceRecordId: detail.sourceRecord?.id ?? null,
      candidateRecordId: detail.candidate.bestMember?.id ?? null,
      candidateGoldenId: detail.candidate.goldenId,
    });
    await audit.flush(deps.db);
    return c.json(detail);
  });

  app.post('/review-items/:id/resolve', requireRole(deps.keys, 'steward'), async (c) => {
    const id = itemId(c);
    const body = await jsonBody(c, resolveBodySchema);
    const result = await resolveReview(deps.steward, `api:${c.get('apiKey').id}`, id, body).catch(stewardError);
    deps.onChanged?.();
    return c.json(result);
  });

  return app;
}
