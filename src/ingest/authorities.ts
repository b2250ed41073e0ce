import { sql } from 'drizzle-orm';
import type { FileConfig, ProfileFields } from '../config.js';
import { query, type Queryable } from '../storage/db.js';
import { authorities } from '../storage/schema/index.js';
import { contentError } from './errors.js';

export interface Authority {
  id: number;
  namespace: string | null;
  oid: string | null;
  name: string | null;
  trustRank: number;
  origin: string;
}

/** An authority as a message names it, before it has (or may need) a row. */
export interface AuthorityRef {
  oid?: string;
  namespace?: string;
}

export interface Cx4 {
  namespace?: string;
  universalId?: string;
  universalIdType?: string;
}

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;
export const isOid = (s: string) => OID.test(s);

/** The FHIR system URI of an authority: urn:oid:… when it has an OID, else its namespace. */
export function systemOf(a: { oid: string | null; namespace: string | null }): string {
  return a.oid ? `urn:oid:${a.oid}` : (a.namespace ?? '');
}

/**
 * Knows every assigning authority: the configured ones and those registered from messages.
 * Resolution of a CX.4 follows IHE ITI-8: an OID names itself; a namespace must be mapped by the
 * sender's profile or the authorities list; an empty CX.4 takes the sender's default authority.
 */
export class AuthorityRegistry {
  private byOid = new Map<string, Authority>();
  private byNamespace = new Map<string, Authority>();
  private byId = new Map<number, Authority>();

  constructor(private readonly config: FileConfig) {}

  static async load(q: Queryable, config: FileConfig): Promise<AuthorityRegistry> {
    for (const a of config.authorities) {
      const values = { namespace: a.namespace ?? null, oid: a.oid ?? null, name: a.name ?? null, trustRank: a.trustRank, origin: 'config' };
      if (a.oid) {
        // A namespace-only authority that the config now gives an OID keeps its row (and its records).
        await q.execute(
          sql`update authorities set oid = ${a.oid} where namespace = ${a.namespace ?? null} and oid is null
              and not exists (select 1 from authorities where oid = ${a.oid})`,
        );
        await q
          .insert(authorities)
          .values(values)
          .onConflictDoUpdate({ target: authorities.oid, targetWhere: sql`oid is not null`, set: { namespace: values.namespace, name: values.name, trustRank: values.trustRank, origin: 'config' } });
      } else {
        await q
          .insert(authorities)
          .values(values)
          .onConflictDoUpdate({ target: authorities.namespace, targetWhere: sql`namespace is not null and oid is null`, set: { name: values.name, trustRank: values.trustRank, origin: 'config' } });
      }
    }
    const reg = new AuthorityRegistry(config);
    await reg.refresh(q);
    return reg;
  }

  async refresh(q: Queryable) {
    const rows = await q.select().from(authorities);
    for (const r of rows) this.remember(r);
  }

  /** Forgets everything and reloads: after a rolled-back transaction that may have registered authorities. */
  async reload(q: Queryable) {
    // Read first, swap after: a message checked while the read is in flight must still find every authority.
    const rows = await q.select().from(authorities);
    this.byOid = new Map();
    this.byNamespace = new Map();
    this.byId = new Map();
    for (const r of rows) this.remember(r);
  }

  /** An authority registered elsewhere (the worker thread's registry): known here from now on. */
  learn(a: Authority) {
    if (!this.byId.has(a.id)) this.remember(a);
  }

  private remember(a: Authority) {
    this.byId.set(a.id, a);
    if (a.oid) this.byOid.set(a.oid, a);
    // Only the config makes a namespace resolvable: the CX.4.1 that came with an auto-registered OID
    // is a label, and trusting it would make acceptance depend on which message arrived first.
    if (a.namespace && a.origin === 'config') {
      const current = this.byNamespace.get(a.namespace);
      if (!current || (!current.oid && a.oid)) this.byNamespace.set(a.namespace, a);
    }
  }

  get(id: number): Authority | undefined {
    return this.byId.get(id);
  }

  all(): Authority[] {
    return [...this.byId.values()];
  }

  /** Finds an authority by a FHIR system (`urn:oid:…`), a bare OID, or a namespace. */
  findBySystem(system: string): Authority | undefined {
    const s = system.startsWith('urn:oid:') ? system.slice(8) : system;
    return this.byOid.get(s) ?? (isOid(s) ? undefined : this.byNamespace.get(s));
  }

  /**
   * Resolves a CX.4 for one sender's profile, or throws a content error (AE 204). Pure: the row of an
   * auto-registered authority is written later, by `ensure`, inside the applying transaction.
   */
  resolve(cx4: Cx4 | undefined, profile: ProfileFields, path: string): AuthorityRef {
    const universalId = cx4?.universalId?.trim();
    const namespace = cx4?.namespace?.trim() || undefined;
    if (universalId) {
      if (this.byOid.has(universalId)) return { oid: universalId, namespace: this.byOid.get(universalId)!.namespace ?? namespace };
      if (!isOid(universalId)) throw contentError(204, `${path}.2 universal id is not an OID`, `${path}.2`);
      if (this.config.autoRegisterAuthorities === 'oid') return { oid: universalId, namespace };
      throw contentError(204, `${path} assigning authority OID is not configured`, path);
    }
    if (namespace) return this.resolveName(namespace, profile, path);
    if (profile.defaultAuthority) return this.resolveName(profile.defaultAuthority, profile, path);
    throw contentError(204, `${path} assigning authority is empty and the sender has no default authority`, path);
  }

  private resolveName(name: string, profile: ProfileFields, path: string): AuthorityRef {
    const mapped = profile.namespaces[name];
    if (mapped) return { oid: mapped, namespace: this.byOid.get(mapped)?.namespace ?? name };
    if (isOid(name)) {
      if (this.byOid.has(name) || this.config.autoRegisterAuthorities === 'oid') return { oid: name, namespace: this.byOid.get(name)?.namespace ?? undefined };
      throw contentError(204, `${path} assigning authority OID is not configured`, path);
    }
    const known = this.byNamespace.get(name);
    if (known) return { oid: known.oid ?? undefined, namespace: known.namespace ?? name };
    throw contentError(204, `${path} assigning authority namespace is not configured`, path);
  }

  lookup(ref: AuthorityRef): Authority | undefined {
    return ref.oid ? this.byOid.get(ref.oid) : ref.namespace ? this.byNamespace.get(ref.namespace) : undefined;
  }

  /** The authority's row id, registering it when a message names an OID first seen now. */
  async ensure(q: Queryable, ref: AuthorityRef): Promise<Authority> {
    const known = this.lookup(ref);
    if (known) return known;
    if (!ref.oid) throw contentError(204, 'assigning authority is not configured');
    const rows = await query<Authority>(
      q,
      sql`insert into authorities (namespace, oid, origin) values (${ref.namespace ?? null}, ${ref.oid}, 'auto')
          on conflict (oid) where oid is not null do update set oid = excluded.oid
          returning id, namespace, oid, name, trust_rank as "trustRank", origin`,
    );
    const a = rows[0]!;
    this.remember(a);
    return a;
  }
}
