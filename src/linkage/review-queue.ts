import { sql, type SQL } from 'drizzle-orm';
import { probabilityOf, type Explanation } from '../../algorithms/fellegi-sunter.js';
import { systemOf, type AuthorityRegistry } from '../ingest/authorities.js';
import { primaryName, type Demographics } from '../ingest/demographics.js';
import { query, type Queryable } from '../storage/db.js';

/*
 * The stewards' queue as it is read: a page of review items in one of four orders with an opaque keyset cursor,
 * and one item with everything a side-by-side view and a match-weight waterfall need.
 */

export const REVIEW_STATUSES = ['open', 'resolved', 'superseded'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const REVIEW_SORTS = ['score', '-score', 'age', '-age'] as const;
export type ReviewSort = (typeof REVIEW_SORTS)[number];

export interface ListFilter {
  status: ReviewStatus;
  authorityId?: number;
  minScore?: number;
  maxScore?: number;
}

export interface ListQuery extends ListFilter {
  sort: ReviewSort;
  limit: number;
  /** Position after which the page starts, as the previous page's `nextCursor` encoded it. */
  after?: CursorKey;
}

/** The sort key of the last item of a page: the score (float4 as text, exact) or creation time (timestamptz as text, exact), then the id. */
export interface CursorKey {
  key: string;
  id: number;
}

/** The columns of a review item that both the list and the detail read. */
interface ItemColumns {
  id: number;
  status: ReviewStatus;
  sourceRecordId: number;
  candidateGoldenId: string;
  candidateRecordId: number;
  probability: number;
  weight: number;
  reasons: string[];
  modelVersion: number;
  version: number;
  decision: string | null;
  decidedBy: string | null;
  decidedAt: string | Date | null;
  note: string | null;
  createdAt: string | Date;
}

interface Row extends ItemColumns {
  sortKey: string;
  sAuthority: number;
  sIdentifier: string;
  sFamily: string | null;
  sGiven: string | null;
  sBirthDate: string | null;
  sGolden: string | null;
  cAuthority: number | null;
  cIdentifier: string | null;
  cFamily: string | null;
  cGiven: string | null;
  cBirthDate: string | null;
}

const iso = (d: string | Date | null) => (d === null ? null : new Date(d).toISOString());

function order(sort: ReviewSort) {
  switch (sort) {
    case 'score':
      return { key: sql`r.probability`, keyText: sql`r.probability::text`, cast: sql`real`, dir: sql`asc`, cmp: sql`>` };
    case '-score':
      return { key: sql`r.probability`, keyText: sql`r.probability::text`, cast: sql`real`, dir: sql`desc`, cmp: sql`<` };
    case 'age':
      return { key: sql`r.created_at`, keyText: sql`r.created_at::text`, cast: sql`timestamptz`, dir: sql`asc`, cmp: sql`>` };
    case '-age':
      return { key: sql`r.created_at`, keyText: sql`r.created_at::text`, cast: sql`timestamptz`, dir: sql`desc`, cmp: sql`<` };
  }
}

function where(f: ListFilter): SQL {
  const parts: SQL[] = [sql`r.status = ${f.status}`];
  // The score is stored as float4: the bounds are compared as float4 too, so minScore=0.9 includes an item shown as 0.9.
  if (f.minScore !== undefined) parts.push(sql`r.probability >= ${f.minScore}::real`);
  if (f.maxScore !== undefined) parts.push(sql`r.probability <= ${f.maxScore}::real`);
  if (f.authorityId !== undefined) parts.push(sql`s.authority_id = ${f.authorityId}`);
  return sql.join(parts, sql` and `);
}

export async function listReviewItems(q: Queryable, lq: ListQuery): Promise<{ rows: Row[]; more: boolean }> {
  const o = order(lq.sort);
  const filters = [where(lq)];
  // Row comparison on (key, id) walks the (status, key, id) index from the cursor on: a deep page costs what the first does.
  if (lq.after) filters.push(sql`(${o.key}, r.id) ${o.cmp} (${lq.after.key}::${o.cast}, ${lq.after.id}::bigint)`);
  const rows = await query<Row>(
    q,
    sql`select r.id::int as id, r.status, r.source_record_id::int as "sourceRecordId", r.candidate_golden_id as "candidateGoldenId",
          r.candidate_record_id::int as "candidateRecordId", r.probability, r.weight, r.reasons, r.model_version as "modelVersion", r.version,
          r.decision, r.decided_by as "decidedBy", r.decided_at as "decidedAt", r.note, r.created_at as "createdAt", ${o.keyText} as "sortKey",
          s.authority_id as "sAuthority", s.identifier as "sIdentifier", s.family as "sFamily", s.given as "sGiven", s.birth_date::text as "sBirthDate", s.golden_id as "sGolden",
          c.authority_id as "cAuthority", c.identifier as "cIdentifier", c.family as "cFamily", c.given as "cGiven", c.birth_date::text as "cBirthDate"
        from review_items r join source_records s on s.id = r.source_record_id left join source_records c on c.id = r.candidate_record_id
        where ${sql.join(filters, sql` and `)}
        order by ${o.key} ${o.dir}, r.id ${o.dir}
        limit ${lq.limit + 1}`,
  );
  const more = rows.length > lq.limit;
  return { rows: more ? rows.slice(0, lq.limit) : rows, more };
}

const REVERSED: Record<ReviewSort, ReviewSort> = { score: '-score', '-score': 'score', age: '-age', '-age': 'age' };

/**
 * The items just before and after one in a queue's order (filters and sort), found from its own sort key, so
 * a steward can step through the queue from any item, including one that no longer passes the filter (just
 * resolved). Ids only: no patient data, nothing to audit.
 */
export async function queueNeighbours(q: Queryable, id: number, f: ListFilter, sort: ReviewSort): Promise<{ previous: number | null; next: number | null }> {
  const [at] = await query<{ key: string }>(q, sql`select ${order(sort).keyText} as key from review_items r where r.id = ${id}`);
  if (!at) return { previous: null, next: null };
  const after: CursorKey = { key: at.key, id };
  const [next, previous] = await Promise.all([listReviewItems(q, { ...f, sort, limit: 1, after }), listReviewItems(q, { ...f, sort: REVERSED[sort], limit: 1, after })]);
  return { previous: previous.rows[0]?.id ?? null, next: next.rows[0]?.id ?? null };
}

export async function countReviewItems(q: Queryable, f: ListFilter): Promise<number> {
  const join = f.authorityId === undefined ? sql`` : sql`join source_records s on s.id = r.source_record_id`;
  const [row] = await query<{ n: number }>(q, sql`select count(*)::int as n from review_items r ${join} where ${where(f)}`);
  return row?.n ?? 0;
}

const displayName = (given: string | null, family: string | null) => [given, family].filter(Boolean).join(' ') || null;

function recordRef(registry: AuthorityRegistry, authorityId: number | null, identifier: string | null) {
  const a = authorityId === null ? undefined : registry.get(authorityId);
  return { system: a ? systemOf(a) || null : null, authority: a?.name ?? a?.namespace ?? null, value: identifier };
}

/** One list entry: enough to draw a queue row (who, against whom, how sure, why) without opening the item. */
export function listEntry(registry: AuthorityRegistry, r: Row) {
  return {
    id: r.id,
    status: r.status,
    version: r.version,
    score: r.probability,
    weight: r.weight,
    reasons: r.reasons,
    modelVersion: r.modelVersion,
    createdAt: iso(r.createdAt),
    sourceRecord: { id: r.sourceRecordId, ...recordRef(registry, r.sAuthority, r.sIdentifier), name: displayName(r.sGiven, r.sFamily), birthDate: r.sBirthDate, goldenId: r.sGolden },
    candidate: {
      goldenId: r.candidateGoldenId,
      recordId: r.candidateRecordId,
      ...recordRef(registry, r.cAuthority, r.cIdentifier),
      name: displayName(r.cGiven, r.cFamily),
      birthDate: r.cBirthDate,
    },
    decision: r.decision,
    decidedBy: r.decidedBy,
    decidedAt: iso(r.decidedAt),
    note: r.note,
  };
}

// ------------------------------------------------------------------------------------------------ detail

/** The explanation as stored with the item (algorithms/fellegi-sunter.ts), read back from jsonb. */
type StoredExplanation = Explanation;

/**
 * The stored explanation as a waterfall: from the prior, each comparison adds its level's weight and
 * term-frequency adjustment; `cumulative` and `probabilityAfter` are the running total and what it means.
 * The last cumulative is the total weight.
 */
export function waterfall(ex: StoredExplanation) {
  let running = ex.prior;
  const steps = ex.contributions.map((c) => {
    const total = c.weight + c.tfAdjustment;
    running += total;
    return {
      comparison: c.comparison,
      level: c.level,
      levelIndex: c.levelIndex,
      weight: c.weight,
      tfAdjustment: c.tfAdjustment,
      total,
      cumulative: running,
      probabilityAfter: probabilityOf(running),
      ...(c.m === undefined ? {} : { m: c.m, u: c.u, bayesFactor: 2 ** total }),
    };
  });
  return { prior: ex.prior, priorProbability: probabilityOf(ex.prior), contributions: steps, sum: running, weight: ex.weight, probability: ex.probability };
}

export type ShownDemographics = Omit<Demographics, 'ssn'> & { ssnLast4?: string };

/**
 * Demographics as the API shows them (as GET /api/golden-records/:id does): the SSN only as its last four
 * digits, enough to tell two apart; the comparison level says whether the whole numbers agree.
 */
export function shown(d: Demographics | null): ShownDemographics | null {
  if (!d) return null;
  const { ssn, ...rest } = d;
  return ssn ? { ...rest, ssnLast4: ssn.slice(-4) } : rest;
}

const FIELDS: Array<[string, (d: Demographics) => string | null | undefined]> = [
  ['family', (d) => primaryName(d)?.family],
  ['given', (d) => primaryName(d)?.given],
  ['middle', (d) => primaryName(d)?.middle],
  ['suffix', (d) => primaryName(d)?.suffix],
  ['birthDate', (d) => d.birthDate],
  ['sex', (d) => d.sex],
  ['street', (d) => d.addresses[0]?.street],
  ['city', (d) => d.addresses[0]?.city],
  ['state', (d) => d.addresses[0]?.state],
  ['zip', (d) => d.addresses[0]?.zip],
  ['phone', (d) => d.phones[0]?.number],
  ['ssnLast4', (d) => d.ssn?.slice(-4)],
  ['mothersMaidenName', (d) => d.mothersMaidenName],
];

const fold = (v: string | null | undefined) => (v ?? '').normalize('NFKD').replace(/\p{M}+/gu, '').toUpperCase().replace(/[^A-Z0-9]+/g, '');

/**
 * The pair field by field, with the golden record's surviving value beside them: `same` compares the two
 * records ignoring case, accents and punctuation (null when either is missing), so a view can mark differences.
 */
export function sideBySide(source: Demographics, candidate: Demographics | null, golden: Demographics | null) {
  return FIELDS.map(([field, get]) => {
    const a = get(source) ?? null;
    const b = candidate ? (get(candidate) ?? null) : null;
    const g = golden ? (get(golden) ?? null) : null;
    return { field, source: a, candidate: b, golden: g, same: a === null || b === null ? null : fold(a) === fold(b) };
  });
}

interface RecordDetailRow {
  id: number;
  authorityId: number;
  identifier: string;
  identifierType: string | null;
  status: string;
  goldenId: string | null;
  linkKind: string | null;
  sender: string | null;
  demographics: Demographics;
  version: number;
  updatedAt: string | Date;
}

async function recordDetails(q: Queryable, ids: number[]): Promise<Map<number, RecordDetailRow>> {
  const rows = await query<RecordDetailRow>(
    q,
    sql`select id::int as id, authority_id as "authorityId", identifier, identifier_type as "identifierType", status, golden_id as "goldenId", link_kind as "linkKind",
          sender, demographics, version, updated_at as "updatedAt" from source_records where id = any(${sql.param(ids)}::bigint[])`,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

function recordView(registry: AuthorityRegistry, r: RecordDetailRow | undefined) {
  if (!r) return null;
  return {
    id: r.id,
    ...recordRef(registry, r.authorityId, r.identifier),
    identifierType: r.identifierType,
    status: r.status,
    goldenId: r.goldenId,
    linkKind: r.linkKind,
    sender: r.sender,
    version: r.version,
    updatedAt: iso(r.updatedAt),
    demographics: shown(r.demographics),
  };
}

/** Everything about one review item; undefined when there is none. */
export async function reviewItemDetail(q: Queryable, registry: AuthorityRegistry, id: number) {
  const [item] = await query<ItemColumns & { explanation: StoredExplanation; messageId: number | null }>(
    q,
    sql`select id::int as id, status, source_record_id::int as "sourceRecordId", candidate_golden_id as "candidateGoldenId", candidate_record_id::int as "candidateRecordId",
          probability, weight, model_version as "modelVersion", reasons, explanation, decision, decided_by as "decidedBy", decided_at as "decidedAt", note,
          message_id::int as "messageId", version, created_at as "createdAt"
        from review_items where id = ${id}`,
  );
  if (!item) return undefined;
  const records = await recordDetails(q, [item.sourceRecordId, item.candidateRecordId]);
  const source = records.get(item.sourceRecordId);
  const best = records.get(item.candidateRecordId);
  const [golden] = await query<{ id: string; status: string; mergedIntoId: string | null; demographics: Demographics | null; provenance: Record<string, number> | null; version: number; updatedAt: string | Date }>(
    q,
    sql`select id, status, merged_into_id as "mergedIntoId", demographics, provenance, version, updated_at as "updatedAt" from golden_records where id = ${item.candidateGoldenId}`,
  );
  const members = await query<{ id: number; authorityId: number; identifier: string; identifierType: string | null; status: string; linkKind: string | null }>(
    q,
    sql`select id::int as id, authority_id as "authorityId", identifier, identifier_type as "identifierType", status, link_kind as "linkKind"
        from source_records where golden_id = ${item.candidateGoldenId} order by id`,
  );
  const [model] = await query<{ name: string; thresholds: { upper: number; lower: number } | null }>(
    q,
    sql`select name, document->'thresholds' as thresholds from match_models where version = ${item.modelVersion}`,
  );
  const created = new Date(item.createdAt).getTime();
  const changedSince = (r: RecordDetailRow | undefined) => !!r && new Date(r.updatedAt).getTime() > created;
  return {
    id: item.id,
    status: item.status,
    version: item.version,
    createdAt: iso(item.createdAt),
    messageId: item.messageId,
    score: item.probability,
    weight: item.weight,
    reasons: item.reasons,
    decision: item.decision,
    decidedBy: item.decidedBy,
    decidedAt: iso(item.decidedAt),
    note: item.note,
    model: { version: item.modelVersion, name: model?.name ?? null, thresholds: model?.thresholds ?? null },
    explanation: waterfall(item.explanation),
    /** Either record changed after the item was scored: the score shown is the one the engine gave then. */
    stale: changedSince(source) || changedSince(best),
    sourceRecord: recordView(registry, source),
    candidate: {
      goldenId: item.candidateGoldenId,
      bestMember: recordView(registry, best),
      golden: golden
        ? {
            id: golden.id,
            status: golden.status,
            mergedIntoId: golden.mergedIntoId,
            version: golden.version,
            updatedAt: iso(golden.updatedAt),
            demographics: shown(golden.demographics),
            provenance: golden.provenance,
            members: members.map((m) => ({ id: m.id, ...recordRef(registry, m.authorityId, m.identifier), identifierType: m.identifierType, status: m.status, linkKind: m.linkKind })),
          }
        : null,
    },
    fields: source ? sideBySide(source.demographics, best?.demographics ?? null, golden?.demographics ?? null) : [],
  };
}
