import { sql } from 'drizzle-orm';
import type { Demographics } from '../ingest/demographics.js';
import { query, type Queryable } from '../storage/db.js';

/**
 * Read models of golden records for the HTTP API: one record with everything a steward needs to see
 * (members, per-field provenance, link history, open questions), and many records at once as FHIR
 * Patients are built from them (a search page). Reads only; every write goes through linkage/.
 */

export interface GoldenRow {
  id: string;
  status: 'active' | 'merged';
  mergedIntoId: string | null;
  demographics: Demographics | null;
  provenance: Record<string, number> | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A source record held by a golden record: its identity, and for the detail view its demographics and link. */
export interface MemberIdentity {
  id: number;
  goldenId: string;
  authorityId: number;
  identifier: string;
  identifierType: string | null;
  status: 'active' | 'merged';
}

export interface MemberDetail extends MemberIdentity {
  mergedIntoId: number | null;
  sender: string | null;
  demographics: Demographics;
  linkKind: string | null;
  /** The current link's score and model version (automatic links), and since when it holds. */
  score: number | null;
  modelVersion: number | null;
  since: string | null;
  lastMessageId: number | null;
  updatedAt: string;
}

export interface LinkRow {
  id: number;
  sourceRecordId: number;
  authorityId: number;
  identifier: string;
  kind: string;
  score: number | null;
  modelVersion: number | null;
  messageId: number | null;
  createdAt: string;
  removedAt: string | null;
  removedReason: string | null;
}

export interface OpenReviewRow {
  id: number;
  sourceRecordId: number;
  /** The golden record the source record waits in. */
  goldenId: string | null;
  candidateGoldenId: string;
  candidateRecordId: number;
  probability: number;
  reasons: string[];
  modelVersion: number;
  createdAt: string;
}

export interface GoldenDetail {
  golden: GoldenRow;
  members: MemberDetail[];
  links: LinkRow[];
  reviews: OpenReviewRow[];
}

const ts = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

const goldenColumns = sql`id, status, merged_into_id as "mergedIntoId", demographics, provenance, version,
  ${ts('created_at')} as "createdAt", ${ts('updated_at')} as "updatedAt"`;

export async function goldenRows(q: Queryable, ids: readonly string[]): Promise<GoldenRow[]> {
  if (!ids.length) return [];
  return query<GoldenRow>(q, sql`select ${goldenColumns} from golden_records where id = any(${sql.param([...ids])}::uuid[])`);
}

/** The golden record that finally absorbed a merged one (the record itself when it is active). */
export async function survivorGolden(q: Queryable, id: string): Promise<string> {
  let cur = id;
  // Merges are never cyclic (a retired golden record is never a link target), but a bound costs nothing.
  for (let hops = 0; hops < 16; hops++) {
    const [g] = await query<{ into: string | null }>(q, sql`select merged_into_id as into from golden_records where id = ${cur} and status = 'merged'`);
    if (!g?.into) break;
    cur = g.into;
  }
  return cur;
}

/** Every source record of these golden records, active and retired (a retired identifier keeps its survivor's golden id). */
export async function memberIdentities(q: Queryable, goldenIds: readonly string[]): Promise<MemberIdentity[]> {
  if (!goldenIds.length) return [];
  return query<MemberIdentity>(
    q,
    sql`select id::int as id, golden_id as "goldenId", authority_id as "authorityId", identifier, identifier_type as "identifierType", status
        from source_records where golden_id = any(${sql.param([...goldenIds])}::uuid[]) order by id`,
  );
}

export async function goldenDetail(q: Queryable, id: string): Promise<GoldenDetail | undefined> {
  const [golden] = await goldenRows(q, [id]);
  if (!golden) return undefined;
  const [members, links, reviews] = await Promise.all([
    query<MemberDetail>(
      q,
      sql`select s.id::int as id, s.golden_id as "goldenId", s.authority_id as "authorityId", s.identifier, s.identifier_type as "identifierType",
                 s.status, s.merged_into_id::int as "mergedIntoId", s.sender, s.demographics, s.link_kind as "linkKind",
                 l.score, l.model_version as "modelVersion", ${ts('l.created_at')} as since, s.last_message_id::int as "lastMessageId", ${ts('s.updated_at')} as "updatedAt"
          from source_records s
          left join links l on l.source_record_id = s.id and l.removed_at is null and l.golden_id = s.golden_id
          where s.golden_id = ${id} order by s.id`,
    ),
    query<LinkRow>(
      q,
      sql`select l.id::int as id, l.source_record_id::int as "sourceRecordId", s.authority_id as "authorityId", s.identifier, l.kind, l.score,
                 l.model_version as "modelVersion", l.message_id::int as "messageId", ${ts('l.created_at')} as "createdAt",
                 ${ts('l.removed_at')} as "removedAt", l.removed_reason as "removedReason"
          from links l join source_records s on s.id = l.source_record_id
          where l.golden_id = ${id} order by l.id`,
    ),
    // Both sides of a question: a member waiting to be told whether it belongs elsewhere, and another
    // golden record's member that may belong here.
    query<OpenReviewRow>(
      q,
      sql`select r.id::int as id, r.source_record_id::int as "sourceRecordId", s.golden_id as "goldenId", r.candidate_golden_id as "candidateGoldenId",
                 r.candidate_record_id::int as "candidateRecordId", r.probability, r.reasons, r.model_version as "modelVersion", ${ts('r.created_at')} as "createdAt"
          from review_items r join source_records s on s.id = r.source_record_id
          where r.status = 'open' and (r.candidate_golden_id = ${id}
            or r.source_record_id in (select m.id from source_records m where m.golden_id = ${id}))
          order by r.id`,
    ),
  ]);
  return { golden, members, links, reviews };
}
