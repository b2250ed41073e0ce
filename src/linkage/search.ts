import { sql, type SQL } from 'drizzle-orm';
import { blockingKeys } from '../../algorithms/blocking.js';
import { candidateScore, scoreGoldens } from '../../algorithms/golden-score.js';
import type { KnownNames } from '../../algorithms/normalize/given-names.js';
import type { NicknameIndex } from '../../algorithms/normalize/nicknames.js';
import type { PairScore, TermCounts, Veto } from '../../algorithms/pair-score.js';
import { termFrequencyKeys } from '../../algorithms/person-comparisons.js';
import { normalizePerson, PERSON_BLOCKING_RULES, type Person } from '../../algorithms/person.js';
import type { Demographics } from '../ingest/demographics.js';
import { query, type Db, type Queryable, type Tx } from '../storage/db.js';
import { decideAmong, TF_PREFIX } from './matcher.js';
import type { ModelStore } from './models.js';
import type { RecordStore } from './store.js';

/**
 * Finding golden records by what is known of a person, for the read API: demographic search (IHE PDQm)
 * over the matcher's own index, and scoring a presented person against the stored ones (FHIR $match) with
 * the active model, as the online matcher scores an incoming record (src/linkage/matcher.ts).
 */

/**
 * Term-frequency counters in blocking_keys (matcher.ts TF_PREFIX): one row per source record under its
 * primary family / first given name as algorithms/ normalises them, so they double as an exact name index.
 */
export const FAMILY_KEY = TF_PREFIX.family_name;
export const GIVEN_KEY = TF_PREFIX.given_name;
/** The phone blocking rule (algorithms/person.ts 'ph'): normalised ten-digit numbers. */
export const PHONE_KEY = 'ph:';

// ------------------------------------------------------------------------------------------- demographic search

/** A normalised name: equal to it (`exact`), or starting with it. */
export interface NameTerm {
  value: string;
  exact: boolean;
}

/** Birth dates in [from, to) (ISO dates); either end open. */
export interface DateRange {
  from?: string;
  to?: string;
}

/**
 * A PDQm search, already validated and normalised. Each list is an AND of groups, each group an OR of
 * values (FHIR: repeated parameter = AND, comma = OR). Demographic groups must all hold for one active
 * source record of the golden record (one source saying SMITH, JOHN, 1980); identifiers are the person's,
 * so any source record of the golden record may carry them.
 */
export interface PatientQuery {
  family: NameTerm[][];
  given: NameTerm[][];
  birthdate: DateRange[][];
  /** Stored administrative sex codes (HL7 0001). */
  gender: string[][];
  /** Normalised phone numbers. */
  telecom: string[][];
  identifier: Array<Array<{ authorityId: number; value: string }>>;
  /** identifier=<system>| : only golden records holding an identifier of one of these authorities. */
  domains: number[];
  count: number;
}

export function hasSelectiveCriterion(q: PatientQuery): boolean {
  return q.family.length + q.given.length + q.birthdate.length + q.telecom.length + q.identifier.length > 0;
}

/** The smallest string greater than every string starting with `prefix` (in code point, i.e. C collation, order). */
function prefixEnd(prefix: string): string {
  const cps = [...prefix];
  const last = cps.pop()!.codePointAt(0)!;
  return cps.join('') + String.fromCodePoint(last + 1);
}

/**
 * Keys are compared as ranges, never with LIKE: a bound LIKE pattern cannot use the index under a generic
 * plan (postgres.js prepares statements), a range can.
 */
function nameKeys(alias: SQL, prefix: string, terms: readonly NameTerm[]): SQL {
  return sql.join(
    terms.map((t) => (t.exact ? sql`${alias}.key = ${prefix + t.value}` : sql`(${alias}.key >= ${prefix + t.value} and ${alias}.key < ${prefixEnd(prefix + t.value)})`)),
    sql` or `,
  );
}

function dateRanges(ranges: readonly DateRange[]): SQL {
  return sql.join(
    ranges.map((r) => {
      const parts: SQL[] = [sql`s.birth_date is not null`];
      if (r.from) parts.push(sql`s.birth_date >= ${r.from}::date`);
      if (r.to) parts.push(sql`s.birth_date < ${r.to}::date`);
      return sql`(${sql.join(parts, sql` and `)})`;
    }),
    sql` or `,
  );
}

function identifierMatch(alias: SQL, ids: ReadonlyArray<{ authorityId: number; value: string }>): SQL {
  return sql.join(
    ids.map((i) => sql`(${alias}.authority_id = ${i.authorityId} and ${alias}.identifier = ${i.value})`),
    sql` or `,
  );
}

const bk = sql.raw('b');
const xs = sql.raw('x');

/**
 * Golden records matching a search, in golden id order, and how many match in all. One statement: the records
 * holding every index-backed criterion (the (authority, identifier) key; the phone and name keys of
 * blocking_keys) are intersected straight from their indexes and drive; the birth date drives only when
 * nothing else can, and filters otherwise, as gender and domains do.
 *
 * The intersection is what keeps common names fast whatever the statistics say. The planner estimates a
 * name's key range from a sample; for a name outside its most-common list (SANCHEZ among a hundred thousand
 * records) it guessed one row, and, with each name also a filter, walked every SANCHEZ record probing for a
 * TIMOTHY key: 117 ms instead of 2.
 */
export async function searchGoldens(q: Queryable, pq: PatientQuery): Promise<{ total: number; ids: string[] }> {
  const filters: SQL[] = [];
  const drivers: SQL[] = [];
  const drive = (d: SQL) => drivers.push(sql`(${d})`);

  for (const g of pq.identifier) drive(sql`select m.id from source_records x join source_records m on m.golden_id = x.golden_id where ${identifierMatch(xs, g)}`);
  for (const g of pq.telecom) drive(sql`select b.source_record_id as id from blocking_keys b where b.key = any(${sql.param(g.map((p) => PHONE_KEY + p))}::text[])`);
  for (const [prefix, groups] of [[FAMILY_KEY, pq.family], [GIVEN_KEY, pq.given]] as const) {
    for (const g of groups) drive(sql`select b.source_record_id as id from blocking_keys b where ${nameKeys(bk, prefix, g)}`);
  }
  // A birth date range may hold most of the index (birthdate=ge1900): it drives only when nothing else can.
  for (const g of pq.birthdate) {
    if (!drivers.length) drive(sql`select s.id from source_records s where ${dateRanges(g)}`);
    else filters.push(sql`(${dateRanges(g)})`);
  }
  if (!drivers.length) throw new RangeError('a search needs a selective criterion (see hasSelectiveCriterion)');
  for (const g of pq.gender) filters.push(sql`s.sex = any(${sql.param(g)}::text[])`);
  if (pq.domains.length) filters.push(sql`exists (select 1 from source_records x where x.golden_id = s.golden_id and x.authority_id = any(${sql.param(pq.domains)}::int[]))`);

  // Every step after the driver is a nested loop by primary key, fenced so (the CTE, LIMIT 1 in the laterals):
  // with a misestimated driver the planner otherwise walked golden_records' whole primary key in id order for
  // the ORDER BY … LIMIT, not seeing that the count over all rows needs every row anyway (150 ms for 31 rows).
  const rows = await query<{ id: string; total: number }>(
    q,
    sql`with d as materialized (${sql.join(drivers, sql` intersect `)})
        select s.golden_id as id, (count(*) over ())::int as total
        from d
        cross join lateral (select s.golden_id from source_records s where s.id = d.id and s.status = 'active'${sql.join(filters.map((f) => sql` and ${f}`))} limit 1) s
        cross join lateral (select 1 from golden_records g where g.id = s.golden_id and g.status = 'active' limit 1) g
        group by s.golden_id
        order by s.golden_id
        limit ${Math.max(pq.count, 1)}`,
  );
  // _count=0 asks for the total alone: one row is still read to learn it.
  return { total: rows[0]?.total ?? 0, ids: rows.slice(0, pq.count).map((r) => r.id) };
}

// ------------------------------------------------------------------------------------------- $match

/** FHIR match-grade (http://hl7.org/fhir/StructureDefinition/match-grade). */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

export interface MatchCandidate {
  goldenId: string;
  grade: MatchGrade;
  /** The best-scoring active member: it speaks for its golden record, as in the online matcher. */
  memberId: number;
  memberAuthorityId: number;
  score: PairScore;
  /** The best member's vetoes and the firm vetoes of every other member: what keeps the matcher from linking. */
  vetoes: Veto[];
}

export interface MatchResult {
  modelVersion: number;
  thresholds: { upper: number; lower: number };
  candidates: MatchCandidate[];
  /** Golden records that shared a blocking key (before the maxCandidateGoldens cap). */
  candidateGoldens: number;
  skippedBlocks: number;
}

export interface PatientMatcherOptions {
  models: ModelStore;
  nicknames: NicknameIndex;
  knownGiven?: KnownNames;
  /** Read through the same store queries the matcher uses (SqlStore), so candidates are found alike. */
  store: RecordStore;
  maxBlockSize: number;
  maxCandidateGoldens: number;
}

/**
 * Scores a presented person against the stored golden records as the online matcher would score it as an
 * incoming record (matcher.ts `rank` and `decideOn`): the same normalisation, blocking keys, block cap,
 * candidate cap, best member per golden record, term frequencies, vetoes (the best member's, and the firm ones
 * of every member) and decision. Nothing is written. Steward non-match decisions bar pairs of stored records,
 * so they do not apply to a presented person.
 *
 * Grades: `certain` is the golden record the matcher would link the person to automatically; `probable` a
 * golden record at or above the upper threshold that it would still send to review (a veto, or several
 * strong candidates); `possible` between the thresholds (review); `certainly-not` below the lower threshold.
 */
export class PatientMatcher {
  private population: { n: number; at: number } | undefined;
  private recount: Promise<number> | undefined;

  constructor(private readonly opts: PatientMatcherOptions) {}

  /**
   * Active source records, re-counted at most once a minute (a term-frequency denominator, not a census). A
   * stale count is used while the new one is taken, so no request waits for a count over the whole table.
   */
  private async populationSize(q: Tx): Promise<number> {
    if (this.population && Date.now() - this.population.at < 60_000) return this.population.n;
    if (!this.recount) {
      this.recount = query<{ n: number }>(q, sql`select count(*)::int as n from source_records where status = 'active'`)
        .then(([row]) => (this.population = { n: row?.n ?? 0, at: Date.now() }).n)
        .finally(() => (this.recount = undefined));
      // A recount in the background that fails leaves the stale count in use; the next request tries again.
      if (this.population) this.recount.catch(() => undefined);
    }
    return this.population ? this.population.n : this.recount;
  }

  private async termCounts(q: Tx, person: Person): Promise<TermCounts> {
    const k = termFrequencyKeys(person);
    const keys = [...(k.given_name ? [GIVEN_KEY + k.given_name] : []), ...(k.family_name ? [FAMILY_KEY + k.family_name] : [])];
    const [counts, population] = await Promise.all([this.opts.store.keyCounts(q, keys), this.populationSize(q)]);
    const prefix = { given_name: GIVEN_KEY, family_name: FAMILY_KEY } as const;
    return (c, value) => {
      if (value !== k[c]) return undefined;
      const count = counts.get(prefix[c] + value);
      return count === undefined ? undefined : { count, population: Math.max(population, count) };
    };
  }

  async match(db: Db, demographics: Demographics): Promise<MatchResult> {
    // The store's reads take a transaction handle; a plain connection runs the same statements.
    const q = db as unknown as Tx;
    const active = await this.opts.models.active(q);
    const person = normalizePerson(demographics, this.opts.nicknames);
    const keys = blockingKeys(PERSON_BLOCKING_RULES, person);
    const out: MatchResult = { modelVersion: active.version, thresholds: active.model.thresholds, candidates: [], candidateGoldens: 0, skippedBlocks: 0 };
    if (!keys.length) return out;
    const cand = await this.opts.store.candidates(q, keys, this.opts.maxBlockSize);
    out.skippedBlocks = cand.skippedKeys.length;
    const shared = new Map<string, number>();
    for (const r of cand.records) if (r.goldenId !== null) shared.set(r.goldenId, (shared.get(r.goldenId) ?? 0) + 1);
    out.candidateGoldens = shared.size;
    if (!shared.size) return out;
    const goldens = [...shared].sort((a, b) => b[1] - a[1]).slice(0, this.opts.maxCandidateGoldens).map(([g]) => g);
    const [members, tf] = await Promise.all([this.opts.store.members(q, goldens), this.termCounts(q, person)]);
    const scored = members.flatMap((m) => (m.goldenId === null ? [] : [{ goldenId: m.goldenId, person: normalizePerson(m.demographics, this.opts.nicknames), member: m }]));
    const goldenScores = scoreGoldens(active.compiled, person, scored, tf, this.opts.knownGiven);
    const { upper, lower } = active.model.thresholds;
    const decision = await decideAmong(this.opts.store, q, goldenScores.map(candidateScore), active.model.thresholds);
    const grade = (goldenId: string, p: number): MatchGrade =>
      decision.action === 'link' && decision.goldenId === goldenId ? 'certain' : p >= upper ? 'probable' : p >= lower ? 'possible' : 'certainly-not';
    out.candidates = goldenScores
      .map((g) => ({ goldenId: g.goldenId, grade: grade(g.goldenId, g.best.probability), memberId: g.bestMember.id, memberAuthorityId: g.bestMember.authorityId, score: g.best, vetoes: [...g.vetoes] }))
      .sort((a, b) => b.score.weight - a.score.weight || a.goldenId.localeCompare(b.goldenId));
    return out;
  }
}
