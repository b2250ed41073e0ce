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
 * The golden record an identifier belongs to and every active identifier linked to it. A retired
 * identifier resolves like its survivor (its row keeps the survivor's golden id); a merged golden record
 * is followed to the one that absorbed it.
 */
export async function crosswalk(q: Queryable, authorityId: number, identifier: string): Promise<CrosswalkResult | undefined> {
  // One round trip in the usual case (the golden record is active): this is the hot path of PIXm.
  const rows = await query<{ goldenId: string | null; goldenStatus: string | null; into: string | null } & { [K in keyof CrosswalkEntry]: CrosswalkEntry[K] | null }>(
    q,
    sql`select s.golden_id as "goldenId", g.status as "goldenStatus", g.merged_into_id as "into",
               m.authority_id as "authorityId", m.identifier, m.identifier_type as "identifierType", m.status
        from source_records s
        left join golden_records g on g.id = s.golden_id
        left join source_records m on m.golden_id = s.golden_id and g.status is distinct from 'merged'
        where s.authority_id = ${authorityId} and s.identifier = ${identifier}
        order by m.id`,
  );
  const hit = rows[0];
  if (!hit?.goldenId) return undefined;
  if (hit.goldenStatus !== 'merged' || !hit.into) {
    return { goldenId: hit.goldenId, identifiers: rows.filter((r) => r.authorityId !== null).map((r) => ({ authorityId: r.authorityId!, identifier: r.identifier!, identifierType: r.identifierType, status: r.status! })) };
  }
  let goldenId = hit.into;
  for (let hops = 0; hops < 16; hops++) {
    const [g] = await query<{ status: string; into: string | null }>(q, sql`select status, merged_into_id as "into" from golden_records where id = ${goldenId}`);
    if (!g || g.status !== 'merged' || !g.into) break;
    goldenId = g.into;
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
