import { sql } from 'drizzle-orm';
import type { IdentifierRef } from '../ingest/adt.js';
import type { AuthorityRegistry } from '../ingest/authorities.js';
import { query, type Queryable } from '../storage/db.js';

export interface CrosswalkEntry {
  authorityId: number;
  identifier: string;
  identifierType: string | null;
  status: string;
}

export interface CrosswalkResult {
  goldenId: string;
  identifiers: CrosswalkEntry[];
}

/**
 * The audit row of a crosswalk read, written by the read's own statement: one round trip and one commit
 * per request instead of two, which is most of what a PIXm query costs the database.
 */
export interface CrosswalkAudit {
  actor: string;
  action: string;
  /** What the row names when the identifier is not on file (no golden record to name). */
  missing: { entityType: string; entityId: string };
  /** Counts and flags, never values; `found` is added. */
  detail: Record<string, unknown>;
}

type CrosswalkRow = { goldenId: string | null; goldenStatus: string | null; into: string | null } & { [K in keyof CrosswalkEntry]: CrosswalkEntry[K] | null };

/**
 * The golden record an identifier belongs to and every active identifier linked to it. A retired
 * identifier resolves like its survivor (its row keeps the survivor's golden id); a merged golden record
 * is followed to the one that absorbed it. With `audit`, the read writes its audit row in the same
 * statement (a data-modifying CTE always runs), naming the golden record read, or `audit.missing`.
 */
export async function crosswalk(q: Queryable, authorityId: number, identifier: string, audit?: CrosswalkAudit): Promise<CrosswalkResult | undefined> {
  // One round trip in the usual case (the golden record is active): this is the hot path of PIXm.
  const hit = sql`select s.golden_id, g.status, g.merged_into_id
        from source_records s left join golden_records g on g.id = s.golden_id
        where s.authority_id = ${authorityId} and s.identifier = ${identifier}`;
  const members = sql`select h.golden_id as "goldenId", h.status as "goldenStatus", h.merged_into_id as "into",
               m.authority_id as "authorityId", m.identifier, m.identifier_type as "identifierType", m.status
        from hit h left join source_records m on m.golden_id = h.golden_id and h.status is distinct from 'merged'
        order by m.id`;
  const rows = audit
    ? await query<CrosswalkRow>(
        q,
        sql`with hit as (${hit}),
          audited as (
            insert into audit_log (actor, action, entity_type, entity_id, detail)
            select ${audit.actor}, ${audit.action}, case when h.golden_id is null then ${audit.missing.entityType} else 'golden_record' end,
                   coalesce(h.golden_id::text, ${audit.missing.entityId}), ${JSON.stringify(audit.detail)}::jsonb || jsonb_build_object('found', h.golden_id is not null)
            from (select) one left join hit h on true)
        ${members}`,
      )
    : await query<CrosswalkRow>(q, sql`with hit as (${hit}) ${members}`);
  const first = rows[0];
  if (!first?.goldenId) return undefined;
  if (first.goldenStatus !== 'merged' || !first.into) {
    return { goldenId: first.goldenId, identifiers: rows.filter((r) => r.authorityId !== null).map((r) => ({ authorityId: r.authorityId!, identifier: r.identifier!, identifierType: r.identifierType, status: r.status! })) };
  }
  let goldenId = first.into;
  for (let hops = 0; hops < 16; hops++) {
    const [g] = await query<{ status: string; into: string | null }>(q, sql`select status, merged_into_id as "into" from golden_records where id = ${goldenId}`);
    if (!g || g.status !== 'merged' || !g.into) break;
    goldenId = g.into;
  }
  // The row written with the read names the retired golden record; what is disclosed is the survivor's.
  if (audit) {
    await q.execute(sql`insert into audit_log (actor, action, entity_type, entity_id, detail)
      values (${audit.actor}, ${audit.action}, 'golden_record', ${goldenId}, ${JSON.stringify({ ...audit.detail, found: true, mergedFrom: first.goldenId })}::jsonb)`);
  }
  const identifiers = await query<CrosswalkEntry>(
    q,
    sql`select authority_id as "authorityId", identifier, identifier_type as "identifierType", status
        from source_records where golden_id = ${goldenId} order by id`,
  );
  return { goldenId, identifiers };
}

/** Whether each identifier has a source record (active or retired). */
export async function knownIdentifiers(q: Queryable, registry: AuthorityRegistry, refs: IdentifierRef[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const r of refs) {
    const a = registry.lookup(r.authority);
    if (!a) {
      out.push(false);
      continue;
    }
    const [hit] = await query<{ n: number }>(q, sql`select 1 as n from source_records where authority_id = ${a.id} and identifier = ${r.value}`);
    out.push(!!hit);
  }
  return out;
}
