import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { parseDate } from '../../algorithms/normalize/dates.js';
import { normalizeFamily, normalizeGiven } from '../../algorithms/normalize/names.js';
import { normalizePhone } from '../../algorithms/normalize/phone.js';
import { systemOf as fhirSystem, type AuthorityRegistry } from '../ingest/authorities.js';
import { goldenRows, memberIdentities, survivorGolden, type MemberIdentity } from '../linkage/golden-records.js';
import { hasSelectiveCriterion, searchGoldens, type DateRange, type MatchCandidate, type NameTerm, type PatientMatcher, type PatientQuery } from '../linkage/search.js';
import type { Db } from '../storage/db.js';
import type { AuthVariables } from './auth.js';
import { ApiError } from './errors.js';
import { demographicsOf, fhirPatientSchema, matchParametersSchema, searchsetSchema, toFhirPatient, type Extension, type FhirPatient, type Searchset } from './fhir-patient.js';
import { actorOf, auditRead, goldenIdParam, goldenIdSchema, knowAuthorities, queryValues, safeText, zodError } from './input.js';
import type { RouteDoc } from './openapi.js';
import { parseToken } from './pixm.js';

/**
 * FHIR Patient over golden records: read, IHE PDQm search (ITI-78) and $match (ITI-119). Mounted under /fhir
 * after PIXm, so /Patient/$ihe-pix is matched before /Patient/:id.
 */

const FHIR_JSON = { 'content-type': 'application/fhir+json' };
export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
/** Our own extension: the Fellegi-Sunter explanation of a $match score (the steward's waterfall, as data). */
export const MATCH_EXPLANATION_URL = 'urn:mpi:fhir:match-explanation';

// ------------------------------------------------------------------------------------------- PDQm parameters

const values = (description: string, max = 200) => z.array(safeText(max)).max(5).optional().meta({ description });
/** The parameters we implement; any other is refused with 400 (not-supported) rather than ignored, so a client never takes a broader result for the one it asked. */
const pdqmQuery = z.object({
  family: values('family name starts with (case, accents, punctuation and particles folded as the matcher folds them); comma = OR, repeated = AND'),
  'family:exact': values('family name equals (folded)'),
  given: values('first given name starts with (folded)'),
  'given:exact': values('first given name equals (folded)'),
  birthdate: values('[eq|gt|ge|lt|le|sa|eb]YYYY[-MM[-DD]]: a year or month means the whole period', 20),
  gender: z.array(z.string().regex(/^(male|female|other|unknown)(,(male|female|other|unknown))*$/, 'must be male, female, other or unknown')).max(2).optional().meta({ description: 'male | female | other | unknown' }),
  identifier: values('<system>|<value>: exact (system urn:oid:<OID>, bare OID or namespace). <system>| alone: only patients with an identifier of that domain, and only those identifiers returned', 400),
  telecom: values('phone number ([phone|]digits), compared on its last ten digits', 60),
  _count: z.array(z.string().regex(/^\d{1,3}$/, 'must be a number from 0 to 100')).max(1).optional().meta({ description: 'entries per response, default 20, at most 100' }),
});

const splitOr = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

function nameTerms(raw: readonly string[], exact: boolean, normalise: (s: string) => string, param: string): NameTerm[] {
  const terms = splitOr(raw.join(',')).map((v) => ({ value: normalise(v), exact }));
  if (!terms.length || terms.some((t) => t.value === '')) throw new ApiError('bad_request', `${param} must contain letters`);
  return terms;
}

const ISO_DATE = /^(eq|gt|ge|lt|le|sa|eb|ne|ap)?(\d{4}(?:-\d{2}(?:-\d{2})?)?)$/;

function addPeriod(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number?, number?];
  if (m === undefined) return `${y + 1}-01-01`;
  if (d === undefined) return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return next.toISOString().slice(0, 10);
}
const startOf = (iso: string) => (iso.length === 4 ? `${iso}-01-01` : iso.length === 7 ? `${iso}-01` : iso);

function dateRange(v: string): DateRange {
  const m = ISO_DATE.exec(v);
  if (!m || parseDate(m[2]) === null) throw new ApiError('bad_request', 'birthdate must be [prefix]YYYY, YYYY-MM or YYYY-MM-DD (a real date after 1880)');
  const [, prefix = 'eq', date] = m as unknown as [string, string | undefined, string];
  const from = startOf(date);
  const to = addPeriod(date);
  switch (prefix) {
    case 'eq':
      return { from, to };
    case 'gt':
    case 'sa':
      return { from: to };
    case 'ge':
      return { from };
    case 'lt':
    case 'eb':
      return { to: from };
    case 'le':
      return { to };
    default:
      throw new ApiError('unsupported_parameter', `birthdate prefix ${prefix} is not supported`);
  }
}

const GENDER_CODES: Record<string, string[]> = { male: ['M'], female: ['F'], other: ['O', 'A', 'N'], unknown: ['U'] };

/** PDQm parameters (name → values, as a query string holds them) as a search; the steward UI's search form builds the same. */
export function parsePdqm(values: Record<string, string[]>, registry: AuthorityRegistry): PatientQuery {
  const r = pdqmQuery.strict().safeParse(values);
  if (!r.success) throw zodError(r.error, 'unsupported_parameter');
  const p = r.data;
  const family = (v: string) => normalizeFamily(v).full;
  const given = (v: string) => normalizeGiven(v).first;
  const count = p._count ? Number(p._count[0]) : 20;
  if (count > 100) throw new ApiError('bad_request', '_count must be a number from 0 to 100');
  const q: PatientQuery = {
    family: [...(p.family ?? []).map((v) => nameTerms([v], false, family, 'family')), ...(p['family:exact'] ?? []).map((v) => nameTerms([v], true, family, 'family:exact'))],
    given: [...(p.given ?? []).map((v) => nameTerms([v], false, given, 'given')), ...(p['given:exact'] ?? []).map((v) => nameTerms([v], true, given, 'given:exact'))],
    birthdate: (p.birthdate ?? []).map((v) => splitOr(v).map(dateRange)),
    gender: (p.gender ?? []).map((v) => splitOr(v).flatMap((g) => GENDER_CODES[g]!)),
    telecom: (p.telecom ?? []).map((v) =>
      splitOr(v).map((t) => {
        const bar = t.indexOf('|');
        if (bar >= 0 && t.slice(0, bar) !== 'phone' && t.slice(0, bar) !== '') throw new ApiError('unsupported_parameter', 'telecom searches phone numbers only');
        const n = normalizePhone(t.slice(bar + 1));
        if (!n) throw new ApiError('bad_request', 'telecom must be a phone number of ten digits or more');
        return n;
      }),
    ),
    identifier: [],
    domains: [],
    count,
  };
  for (const v of p.identifier ?? []) {
    const group: PatientQuery['identifier'][number] = [];
    for (const token of splitOr(v)) {
      const bar = token.indexOf('|');
      if (bar === token.length - 1 && bar > 0) {
        const a = registry.findBySystem(token.slice(0, bar));
        if (!a) throw new ApiError('unknown_source_domain', 'identifier system is not a known assigning authority');
        q.domains.push(a.id);
        continue;
      }
      const { system, value } = parseToken(token, 'identifier');
      const a = registry.findBySystem(system);
      if (!a) throw new ApiError('unknown_source_domain', 'identifier system is not a known assigning authority');
      group.push({ authorityId: a.id, value });
    }
    if (group.length) q.identifier.push(group);
  }
  if (!hasSelectiveCriterion(q)) throw new ApiError('bad_request', 'a search needs family, given, birthdate, identifier (<system>|<value>) or telecom');
  return q;
}

// ------------------------------------------------------------------------------------------- $match output

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function explanationExtension(c: MatchCandidate, modelVersion: number, member?: MemberIdentity & { system?: string }): Extension {
  const ex = c.score.explanation;
  return {
    url: MATCH_EXPLANATION_URL,
    extension: [
      { url: 'modelVersion', valueInteger: modelVersion },
      { url: 'prior', valueDecimal: round(ex.prior) },
      { url: 'weight', valueDecimal: round(c.score.weight) },
      ...(member?.system ? [{ url: 'bestMember', valueIdentifier: { system: member.system, value: member.identifier } }] : []),
      ...c.vetoes.map((v) => ({ url: 'veto', valueCode: v })),
      ...ex.contributions.map((k) => ({
        url: 'comparison',
        extension: [
          { url: 'name', valueCode: k.comparison },
          { url: 'level', valueCode: k.level },
          { url: 'weight', valueDecimal: round(k.weight) },
          ...(k.tfAdjustment ? [{ url: 'tfAdjustment', valueDecimal: round(k.tfAdjustment) }] : []),
        ],
      })),
    ],
  };
}

// ------------------------------------------------------------------------------------------- docs

export const patientDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/fhir/Patient',
    summary: 'IHE PDQm (ITI-78): golden records by demographics',
    description:
      'Searchset Bundle of golden-record Patients. Demographic parameters must all hold for one active source record of the golden record; identifiers for any. ' +
      'At least one of family, given, birthdate, identifier (<system>|<value>) or telecom. Unsupported parameters and modifiers are refused (400, not-supported). Audited per Patient returned.',
    tags: ['FHIR', 'PDQm'],
    role: 'reader',
    query: pdqmQuery,
    responses: { 200: { description: 'searchset Bundle, golden id order; total counts every match', schema: searchsetSchema } },
    errors: ['bad_request', 'unsupported_parameter', 'unknown_source_domain'],
  },
  {
    method: 'get',
    path: '/fhir/Patient/:id',
    summary: 'FHIR R4 Patient of a golden record',
    description: 'Identifiers of its source records (retired ones use=old), seealso links to the active ones; a merged golden record answers active=false with a replaced-by link. Audited.',
    tags: ['FHIR'],
    role: 'reader',
    params: z.object({ id: goldenIdSchema }),
    responses: { 200: { description: 'the Patient', schema: fhirPatientSchema } },
    errors: ['bad_request', 'not_found'],
  },
  {
    method: 'post',
    path: '/fhir/Patient/$match',
    summary: 'FHIR $match (PDQm ITI-119): golden records scored against a Patient with the active match model',
    description:
      'Scored as the online matcher scores an incoming record (blocking, best member per golden record, term frequencies, household correction and vetoes). ' +
      'search.score is the match probability; search.extension holds the match-grade (certain: the matcher would link automatically; probable: at or above the upper threshold but it would ask a steward; ' +
      'possible: between the thresholds; certainly-not: below the lower threshold) and the per-comparison explanation. Body at most 64 KiB. Audited per Patient returned.',
    tags: ['FHIR', 'PDQm'],
    role: 'reader',
    body: { schema: matchParametersSchema, contentTypes: ['application/fhir+json', 'application/json'] },
    responses: { 200: { description: 'searchset Bundle, best first', schema: searchsetSchema } },
    errors: ['bad_request'],
  },
];

// ------------------------------------------------------------------------------------------- routes

/** A PDQm search, audited (`pdqm.search`, one row per golden record found; parameter names, never values). */
export async function pdqmSearch(db: Db, registry: AuthorityRegistry, values: Record<string, string[]>, actor: string) {
  const query = parsePdqm(values, registry);
  const found = await searchGoldens(db, query);
  await auditRead(db, actor, 'pdqm.search', 'golden_record', found.ids, { params: Object.keys(values).sort(), total: found.total });
  return { query, found };
}

export function patientRoutes(db: Db, registry: AuthorityRegistry, matcher: PatientMatcher) {
  const app = new Hono<{ Variables: AuthVariables }>();

  /** Patients of these golden records, and their source records by id. */
  async function patients(ids: readonly string[]): Promise<{ byId: Map<string, FhirPatient>; records: Map<number, MemberIdentity> }> {
    const [goldens, members] = await Promise.all([goldenRows(db, ids), memberIdentities(db, ids)]);
    await knowAuthorities(db, registry, members.map((m) => m.authorityId));
    const by = new Map<string, MemberIdentity[]>();
    for (const m of members) (by.get(m.goldenId) ?? by.set(m.goldenId, []).get(m.goldenId)!).push(m);
    const byId = new Map<string, FhirPatient>();
    for (const g of goldens) byId.set(g.id, toFhirPatient(g, by.get(g.id) ?? [], (id) => registry.get(id)));
    return { byId, records: new Map(members.map((m) => [m.id, m])) };
  }

  app.get('/Patient', async (c) => {
    const { query: q, found } = await pdqmSearch(db, registry, queryValues(c), actorOf(c));
    const { byId } = await patients(found.ids);
    const base = new URL(c.req.url);
    const bundle: Searchset = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: found.total,
      link: [{ relation: 'self', url: `${base.pathname}${base.search}` }],
      entry: found.ids.flatMap((id) => {
        let resource = byId.get(id);
        if (!resource) return [];
        if (q.domains.length) {
          // identifier=<system>| names the domains whose identifiers the consumer wants back.
          const systems = new Set(q.domains.map((d) => registry.get(d)).filter((a) => a !== undefined).map((a) => fhirSystem(a)));
          resource = { ...resource, identifier: resource.identifier.filter((i) => systems.has(i.system)), link: resource.link.filter((l) => !l.other.identifier || systems.has(l.other.identifier.system)) };
        }
        return [{ fullUrl: `Patient/${id}`, resource, search: { mode: 'match' as const } }];
      }),
    };
    return c.json(bundle, 200, FHIR_JSON);
  });

  app.get('/Patient/:id', async (c) => {
    const id = goldenIdParam(c);
    const [g] = await goldenRows(db, [id]);
    await auditRead(db, actorOf(c), 'patient.read', 'golden_record', g ? [id] : [], {});
    if (!g) throw new ApiError('not_found', 'Patient not found');
    const members = await memberIdentities(db, [id]);
    await knowAuthorities(db, registry, members.map((m) => m.authorityId));
    const survivor = g.status === 'merged' ? await survivorGolden(db, id) : undefined;
    return c.json(toFhirPatient(g, members, (a) => registry.get(a), survivor), 200, FHIR_JSON);
  });

  app.post(
    '/Patient/$match',
    bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new ApiError('payload_too_large', 'request body is larger than 64 KiB'); } }),
    async (c) => {
      const raw = await c.req.json().catch(() => {
        throw new ApiError('bad_request', 'body must be a JSON FHIR Parameters resource');
      });
      const r = matchParametersSchema.safeParse(raw);
      if (!r.success) throw zodError(r.error);
      const params = r.data.parameter;
      const resources = params.filter((p) => p.name === 'resource');
      if (resources.length !== 1) throw new ApiError('bad_request', 'exactly one resource parameter (a Patient) is required');
      const flag = (name: string) => params.some((p) => p.name === name && 'valueBoolean' in p && p.valueBoolean);
      const count = params.find((p) => p.name === 'count')?.valueInteger ?? 10;
      const result = await matcher.match(db, demographicsOf(resources[0]!.resource));
      let picked = result.candidates;
      if (flag('onlyCertainMatches')) picked = picked.filter((x) => x.grade === 'certain');
      picked = picked.slice(0, flag('onlySingleMatch') ? 1 : count);
      const ids = picked.map((x) => x.goldenId);
      const { byId, records } = await patients(ids);
      const bundle: Searchset = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: picked.length,
        entry: picked.flatMap((x) => {
          const resource = byId.get(x.goldenId);
          if (!resource) return [];
          const m = records.get(x.memberId);
          const a = registry.get(x.memberAuthorityId);
          return [
            {
              fullUrl: `Patient/${x.goldenId}`,
              resource,
              search: {
                mode: 'match' as const,
                score: round(x.score.probability, 6),
                extension: [{ url: MATCH_GRADE_URL, valueCode: x.grade }, explanationExtension(x, result.modelVersion, m && a ? { ...m, system: fhirSystem(a) } : undefined)],
              },
            },
          ];
        }),
      };
      await auditRead(db, actorOf(c), 'match.query', 'golden_record', ids, { candidates: result.candidates.length, modelVersion: result.modelVersion });
      return c.json(bundle, 200, FHIR_JSON);
    },
  );
  return app;
}
