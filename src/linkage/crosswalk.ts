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
  const [hit] = await query<{ goldenId: string | null }>(q, sql`select golden_id as "goldenId" from source_records where authority_id = ${authorityId} and identifier = ${identifier}`);
  if (!hit?.goldenId) return undefined;
  let goldenId = hit.goldenId;
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
