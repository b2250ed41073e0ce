import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { crosswalkSchema } from '../../src/api/crosswalk.js';
import { fhirPatientSchema, searchsetSchema } from '../../src/api/fhir-patient.js';
import { goldenRecordSchema } from '../../src/api/golden-records.js';
import { errorEnvelopeSchema, operationOutcomeSchema } from '../../src/api/openapi.js';
import { MATCH_EXPLANATION_URL, MATCH_GRADE_URL } from '../../src/api/patients.js';
import { createLogger } from '../../src/lib/log.js';
import { query } from '../../src/storage/db.js';
import { backends } from '../helpers/db.js';
import { acceptedSender, ADMIN_KEY, startTestService, type TestService } from '../helpers/service.js';
import { OID_A, OID_B } from '../helpers/adt.js';

/*
 * The read side of the HTTP API end to end: records fed over MLLP, then read back through the REST
 * crosswalk and golden-record routes, FHIR Patient read, PDQm search and $match, the OpenAPI document, and
 * what each read leaves in the audit log. The security cases (keys, roles, malformed and hostile input)
 * are at the end.
 */

const A = (id: string) => `${id}^^^HOSPA&${OID_A}&ISO^MR`;
const B = (id: string) => `${id}^^^CLINIC^PI`;
const L = (id: string) => `${id}^^^LAB^MR`;
const enc = encodeURIComponent;

/** One person, as an ADT sends it and as a FHIR client would present it to $match. */
const ALBERTINE = {
  name: 'ZZYZX^ALBERTINE^MARIE^^^^L',
  dob: '19750304',
  sex: 'F',
  address: '12 LARKSPUR LN^^DECATUR^IL^62521',
  phone: '^PRN^PH^^^217^5553001',
};
const albertinePatient = {
  resourceType: 'Patient',
  name: [{ use: 'official', family: 'Zzyzx', given: ['Albertine', 'Marie'] }],
  birthDate: '1975-03-04',
  gender: 'female',
  address: [{ line: ['12 Larkspur Lane'], city: 'Decatur', state: 'IL', postalCode: '62521' }],
  telecom: [{ system: 'phone', value: '(217) 555-3001' }],
};
const matchBody = (resource: unknown, extra: unknown[] = []) => JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource }, ...extra] });

describe.each(backends)('read API on $name', (backend) => {
  let t: TestService;
  const logLines: string[] = [];
  const send = acceptedSender(() => t, 'R');
  const db = () => t.service.database.db;
  const get = async (path: string, key?: string) => {
    await t.service.worker.idle();
    const res = await t.http(path, { key });
    return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: (await res.json()) as any };
  };
  const match = async (body: string, key?: string) => {
    const res = await t.http('/fhir/Patient/$match', { method: 'POST', body, key, headers: { 'content-type': 'application/fhir+json' } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const crosswalk = (identifier: string, extra = '') => get(`/api/crosswalk?identifier=${enc(identifier)}${extra}`);
  const goldenOf = async (identifier: string) => {
    const r = await crosswalk(identifier);
    expect(r.status).toBe(200);
    return r.body.goldenId as string;
  };
  const search = (q: string) => get(`/fhir/Patient?${q}`);
  const ids = (bundle: any) => ((bundle.entry ?? []) as any[]).map((e) => e.resource.id as string).sort();

  let albertine: string;
  let merged: string;
  let quixote: string;
  let bella: string;
  let bruno: string;

  beforeAll(async () => {
    t = await startTestService(
      backend,
      {
        authorities: [
          { namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 },
          { namespace: 'CLINIC', oid: OID_B, name: 'Clinic', trustRank: 5 },
          { namespace: 'LAB', name: 'Lab without an OID', trustRank: 1 },
        ],
      },
      {},
      createLogger('debug', {}, (line) => logLines.push(line)),
    );
    // Albertine: two identifiers in one PID-3 (asserted), then the lab's record of her (linked by the matcher).
    await send({ ...ALBERTINE, pid3: `${A('AL1')}~${B('AC1')}` });
    await send({ ...ALBERTINE, app: 'LABAPP', pid3: L('AL9') });
    // A record of someone else that HOSPA then merges into Albertine's (A40): its golden record is retired.
    await send({ pid3: A('AM1'), name: 'WOLFENDEN^MAXIMILIAN', dob: '19610909', sex: 'M' });
    merged = await goldenOf(`urn:oid:${OID_A}|AM1`);
    await send({ event: 'A40', pid3: A('AL1'), mrg1: A('AM1'), name: ALBERTINE.name, dob: ALBERTINE.dob, sex: 'F', address: ALBERTINE.address, phone: ALBERTINE.phone });
    // HOSPA registers her twice: its own duplicate goes to review against her golden record.
    await send({ ...ALBERTINE, pid3: A('AL2') });
    // People to search for.
    await send({ pid3: A('Q1'), name: 'QUIXOTE^BENEDICT^^^^^L', dob: '19800115', sex: 'M', phone: '^PRN^PH^^^217^5553101' });
    await send({ pid3: A('Q2'), name: 'QUINTERO^BELLA^^^^^L', dob: '19800601', sex: 'F' });
    await send({ app: 'CLINICAPP', pid3: B('Q3'), name: 'QUINTERO^BRUNO^^^^^L', dob: '19920220', sex: 'M' });
    await t.service.worker.idle();
    albertine = await goldenOf(`urn:oid:${OID_A}|AL1`);
    quixote = await goldenOf(`urn:oid:${OID_A}|Q1`);
    bella = await goldenOf(`urn:oid:${OID_A}|Q2`);
    bruno = await goldenOf(`CLINIC|Q3`);
  });
  afterAll(async () => t?.stop());

  describe('REST crosswalk', () => {
    it('answers every identifier of the golden record, by OID, bare OID or namespace, with authority, type and status', async () => {
      const r = await crosswalk(`urn:oid:${OID_A}|AL1`);
      expect(r.status).toBe(200);
      expect(crosswalkSchema.parse(r.body)).toBeTruthy();
      expect(r.body.goldenId).toBe(albertine);
      const rows = (r.body.identifiers as any[]).map((i) => `${i.system}|${i.value}|${i.namespace}|${i.oid}|${i.type}|${i.status}`).sort();
      expect(rows).toEqual([
        `LAB|AL9|LAB|null|MR|active`,
        `urn:oid:${OID_A}|AL1|HOSPA|${OID_A}|MR|active`,
        `urn:oid:${OID_A}|AM1|HOSPA|${OID_A}|MR|merged`,
        `urn:oid:${OID_B}|AC1|CLINIC|${OID_B}|PI|active`,
      ]);
      for (const form of [`${OID_B}|AC1`, `CLINIC|AC1`, `LAB|AL9`, `urn:oid:${OID_A}|AM1`]) expect((await crosswalk(form)).body.goldenId).toBe(albertine);
    });

    it('filters by target system and answers 400 / 403 / 404 as PIXm does, with the error envelope', async () => {
      const only = await crosswalk(`urn:oid:${OID_A}|AL1`, `&target=${enc(`urn:oid:${OID_B}`)}`);
      expect((only.body.identifiers as any[]).map((i) => i.value)).toEqual(['AC1']);
      const two = await crosswalk(`urn:oid:${OID_A}|AL1`, `&target=${enc(`CLINIC,LAB`)}`);
      expect((two.body.identifiers as any[]).map((i) => i.value).sort()).toEqual(['AC1', 'AL9']);
      const cases: Array<[string, number, string]> = [
        [`/api/crosswalk?identifier=${enc('urn:oid:1.2.3.4|AL1')}`, 400, 'unknown_source_domain'],
        [`/api/crosswalk?identifier=${enc('NOWHERE|AL1')}`, 400, 'unknown_source_domain'],
        [`/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|NOPE`)}`, 404, 'not_found'],
        [`/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|AL1`)}&target=${enc('urn:oid:9.9.9')}`, 403, 'unknown_target_domain'],
        [`/api/crosswalk?identifier=AL1`, 400, 'bad_request'],
        [`/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|`)}`, 400, 'bad_request'],
        [`/api/crosswalk`, 400, 'bad_request'],
        [`/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|AL1`)}&identifier=${enc(`urn:oid:${OID_A}|Q1`)}`, 400, 'bad_request'],
        [`/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|AL1`)}&color=red`, 400, 'bad_request'],
      ];
      for (const [path, status, code] of cases) {
        const r = await get(path);
        expect([path, r.status]).toEqual([path, status]);
        expect(errorEnvelopeSchema.parse(r.body).error.code).toBe(code);
      }
    });
  });

  describe('golden records', () => {
    it('shows survived demographics with provenance, the source records with their links, and open review items', async () => {
      const r = await get(`/api/golden-records/${albertine}`);
      expect(r.status).toBe(200);
      const g = goldenRecordSchema.parse(r.body);
      expect(g).toMatchObject({ id: albertine, status: 'active', mergedIntoId: null });
      expect(g.demographics!.names[0]).toMatchObject({ family: 'ZZYZX', given: 'ALBERTINE' });
      expect(g.demographics!.birthDate).toBe('1975-03-04');
      const byId = new Map(g.sourceRecords.map((s) => [s.identifier, s]));
      expect([...byId.keys()].sort()).toEqual(['AC1', 'AL1', 'AL9', 'AM1']);
      expect(byId.get('AC1')).toMatchObject({ system: `urn:oid:${OID_B}`, linkKind: 'asserted', status: 'active' });
      const lab = byId.get('AL9')!;
      expect(lab).toMatchObject({ system: 'LAB', namespace: 'LAB', oid: null, linkKind: 'auto', modelVersion: 1 });
      expect(lab.score).toBeGreaterThanOrEqual(0.99);
      expect(lab.since).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(byId.get('AM1')).toMatchObject({ status: 'merged', mergedIntoId: byId.get('AL1')!.id, linkKind: 'a40' });
      // Each survived field names a member; trust ranks HOSPA first, and HOSPA's record is AL1.
      expect(g.provenance.names).toEqual({ sourceRecordId: byId.get('AL1')!.id, system: `urn:oid:${OID_A}`, identifier: 'AL1' });
      for (const p of Object.values(g.provenance)) expect(byId.get(p.identifier)?.id).toBe(p.sourceRecordId);
      expect(g.links.map((l) => `${l.identifier}:${l.kind}:${l.removedAt === null ? 'open' : l.removedReason}`).sort()).toEqual(['AC1:asserted:open', 'AL1:new:open', 'AL9:auto:open', 'AM1:a40:open']);
      // HOSPA's duplicate AL2 waits in its own golden record for a steward.
      const review = g.reviewItems.find((i) => i.candidateGoldenId === albertine);
      expect(review).toBeDefined();
      expect(review!.reasons).toContain('same-authority');
      expect(review!.goldenId).toBe(await goldenOf(`urn:oid:${OID_A}|AL2`));
    });

    it('keeps a merged golden record readable, with its closed links and where it went', async () => {
      const r = await get(`/api/golden-records/${merged}`);
      expect(r.status).toBe(200);
      const g = goldenRecordSchema.parse(r.body);
      expect(g).toMatchObject({ status: 'merged', mergedIntoId: albertine, sourceRecords: [] });
      expect(g.links.map((l) => `${l.identifier}:${l.kind}:${l.removedReason}`)).toEqual(['AM1:new:a40']);
      expect(g.links[0]!.removedAt).toMatch(/^\d{4}-/);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expect((await get('/api/golden-records/00000000-0000-4000-8000-000000000000')).body.error.code).toBe('not_found');
      for (const bad of ['nope', '1234', `${albertine}x`, enc("' or 1=1 --")]) {
        const r = await get(`/api/golden-records/${bad}`);
        expect([bad, r.status, r.body.error.code]).toEqual([bad, 400, 'bad_request']);
      }
    });
  });

  describe('FHIR Patient read', () => {
    it('answers the golden record as a FHIR R4 Patient with identifiers and seealso links to its sources', async () => {
      const r = await get(`/fhir/Patient/${albertine}`);
      expect(r.status).toBe(200);
      expect(r.type).toContain('application/fhir+json');
      const p = fhirPatientSchema.parse(r.body);
      expect(p).toMatchObject({ resourceType: 'Patient', id: albertine, active: true, gender: 'female', birthDate: '1975-03-04' });
      expect(p.name[0]).toEqual({ use: 'official', family: 'ZZYZX', given: ['ALBERTINE', 'MARIE'] });
      expect(p.address[0]).toMatchObject({ line: ['12 LARKSPUR LN'], city: 'DECATUR', state: 'IL', postalCode: '62521' });
      expect(p.telecom[0]).toMatchObject({ system: 'phone', use: 'home' });
      expect(p.identifier.map((i) => `${i.system}|${i.value}|${i.use ?? ''}|${i.type?.coding[0]?.code ?? ''}`).sort()).toEqual([
        'LAB|AL9||MR',
        `urn:oid:${OID_A}|AL1||MR`,
        `urn:oid:${OID_A}|AM1|old|MR`,
        `urn:oid:${OID_B}|AC1||PI`,
      ]);
      expect(p.link.map((l) => `${l.type} ${l.other.identifier?.system}|${l.other.identifier?.value}`).sort()).toEqual([
        'seealso LAB|AL9',
        `seealso urn:oid:${OID_A}|AL1`,
        `seealso urn:oid:${OID_B}|AC1`,
      ]);
    });

    it('answers a merged golden record as inactive with a replaced-by link, and leaves $ihe-pix alone', async () => {
      const r = await get(`/fhir/Patient/${merged}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ active: false, link: [{ type: 'replaced-by', other: { reference: `Patient/${albertine}` } }] });
      const pix = await get(`/fhir/Patient/$ihe-pix?sourceIdentifier=${enc(`urn:oid:${OID_A}|AL1`)}`);
      expect(pix.body.resourceType).toBe('Parameters');
      const missing = await get('/fhir/Patient/00000000-0000-4000-8000-000000000000');
      expect(missing.status).toBe(404);
      expect(operationOutcomeSchema.parse(missing.body).issue[0]!.code).toBe('not-found');
      const bad = await get('/fhir/Patient/not-a-uuid');
      expect(bad.status).toBe(400);
      expect(bad.body.resourceType).toBe('OperationOutcome');
    });
  });

  describe('PDQm search', () => {
    it('finds golden records by family prefix, exact family, given, birth date, gender, identifier and phone', async () => {
      const cases: Array<[string, string[]]> = [
        ['family=qui', [quixote, bella, bruno]],
        ['family:exact=Quintero', [bella, bruno]],
        ['family:exact=QUIN', []],
        ['family=QUINTERO&given=bel', [bella]],
        ['family=qui&gender=male', [quixote, bruno]],
        ['family=qui&gender=female,other', [bella]],
        ['family=qui&birthdate=1980', [quixote, bella]],
        ['birthdate=1980-01-15', [quixote]],
        ['family=qui&birthdate=ge1990-01-01', [bruno]],
        ['family=qui&birthdate=lt1980-06-01', [quixote]],
        ['family=qui&birthdate=le1980-06', [quixote, bella]],
        ['family=quintero,quixote', [quixote, bella, bruno]],
        ['family=qui&family=quint', [bella, bruno]],
        ['given:exact=bruno', [bruno]],
        [`identifier=${enc(`urn:oid:${OID_A}|Q1`)}`, [quixote]],
        [`identifier=${enc('CLINIC|Q3')}`, [bruno]],
        [`identifier=${enc(`${OID_A}|AM1`)}`, [albertine]],
        [`identifier=${enc(`urn:oid:${OID_A}|Q1`)}&family=quintero`, []],
        ['telecom=2175553101', [quixote]],
        ['telecom=2175553101&family=qui', [quixote]],
        ['telecom=2175553101&family=quintero', []],
        ['given=bel&birthdate=1980', [bella]],
        ['given=bru&birthdate=1980', []],
        [`telecom=${enc('phone|(217) 555-3101')}`, [quixote]],
        ['family=z%C3%BFzyx', []],
      ];
      for (const [q, want] of cases) {
        const r = await search(q);
        expect([q, r.status]).toEqual([q, 200]);
        expect([q, ids(r.body)]).toEqual([q, [...want].sort()]);
        expect(r.body.total).toBe(want.length);
      }
      // HOSPA's duplicate AL2 is a golden record of its own until a steward decides.
      const full = searchsetSchema.parse((await search('family=zzyzx')).body);
      expect(full.entry.map((e) => e.resource.id).sort()).toEqual([albertine, await goldenOf(`urn:oid:${OID_A}|AL2`)].sort());
      expect(full.entry.find((e) => e.resource.id === albertine)!.resource.identifier.length).toBe(4);
    });

    it('restricts returned identifiers to the domains named by identifier=<system>|, and pages with _count', async () => {
      const r = await search(`family=qui&identifier=${enc(`urn:oid:${OID_B}|`)}`);
      expect(ids(r.body)).toEqual([bruno]);
      expect(r.body.entry[0].resource.identifier).toEqual([{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI' }] }, system: `urn:oid:${OID_B}`, value: 'Q3' }]);
      const one = await search('family=qui&_count=1');
      expect(one.body.entry).toHaveLength(1);
      expect(one.body.total).toBe(3);
      expect((await search('family=qui&_count=0')).body).toMatchObject({ total: 3, entry: [] });
    });

    it('refuses what it does not implement, and malformed values, with an OperationOutcome', async () => {
      const cases: Array<[string, number, string]> = [
        ['name=smith', 400, 'not-supported'],
        ['family:contains=ui', 400, 'not-supported'],
        ['family=qui&_sort=family', 400, 'not-supported'],
        ['family=qui&birthdate=ne1980', 400, 'not-supported'],
        ['family=qui&telecom=email|a@b.c', 400, 'not-supported'],
        ['gender=male', 400, 'invalid'],
        ['', 400, 'invalid'],
        ['family=qui&gender=yes', 400, 'invalid'],
        ['birthdate=1980-02-30', 400, 'invalid'],
        ['birthdate=80', 400, 'invalid'],
        ['family=---', 400, 'invalid'],
        ['family=qui&_count=500', 400, 'invalid'],
        [`identifier=${enc('urn:oid:9.9.9|1')}`, 400, 'code-invalid'],
        ['identifier=Q1', 400, 'invalid'],
        ['telecom=12', 400, 'invalid'],
      ];
      for (const [q, status, code] of cases) {
        const r = await search(q);
        expect([q, r.status]).toEqual([q, status]);
        expect([q, operationOutcomeSchema.parse(r.body).issue[0]!.code]).toEqual([q, code]);
        expect(r.type).toContain('application/fhir+json');
      }
    });
  });

  describe('$match', () => {
    it('scores a presented Patient with the active model: certain for the golden record the matcher would link, with the explanation', async () => {
      const r = await match(matchBody(albertinePatient));
      expect(r.status).toBe(200);
      const bundle = searchsetSchema.parse(r.body);
      const twin = await goldenOf(`urn:oid:${OID_A}|AL2`);
      // HOSPA's duplicate AL2 (a golden record of its own, same demographics) scores the same: either may lead.
      expect([albertine, twin]).toContain(bundle.entry[0]!.resource.id);
      const top = bundle.entry.find((e) => e.resource.id === albertine)!;
      expect(top.search.score).toBeGreaterThanOrEqual(0.99);
      const ex = top.search.extension!.find((e) => e.url === MATCH_EXPLANATION_URL)!;
      const comparisons = ex.extension!.filter((e) => e.url === 'comparison').map((e) => Object.fromEntries(e.extension!.map((x) => [x.url, x.valueCode ?? x.valueDecimal])));
      expect(comparisons.find((c) => c.name === 'given_name')).toMatchObject({ level: 'exact' });
      expect(comparisons.find((c) => c.name === 'dob')).toMatchObject({ level: 'exact' });
      // The contributions add up to the weight, which gives the probability (the waterfall).
      const prior = ex.extension!.find((e) => e.url === 'prior')!.valueDecimal!;
      const weight = ex.extension!.find((e) => e.url === 'weight')!.valueDecimal!;
      const sum = comparisons.reduce((s, c) => s + Number(c.weight) + Number(c.tfAdjustment ?? 0), prior);
      expect(Math.abs(sum - weight)).toBeLessThan(0.01);
      expect(Math.abs(1 / (1 + 2 ** -weight) - top.search.score!)).toBeLessThan(1e-3);
      expect(ex.extension!.find((e) => e.url === 'bestMember')!.valueIdentifier!.value).toMatch(/^(AL1|AC1|AL9|AL2)$/);
      const both = bundle.entry.filter((e) => e.search.score! >= 0.99).map((e) => e.resource.id).sort();
      expect(both).toEqual([albertine, twin].sort());
      // Two golden records match strongly, but a steward is already asked whether they are one (AL2's review
      // item, for no reason but the same-authority rule): the matcher links to the established one, whichever
      // scores higher, so it is certain and the stand-in AL2 started only probable.
      const grade = (id: string) => bundle.entry.find((e) => e.resource.id === id)!.search.extension![0]!.valueCode;
      expect([grade(albertine), grade(twin)]).toEqual(['certain', 'probable']);
    });

    it('grades a lone strong match certain, a weaker one lower, an unrelated person certainly-not, and honours count and onlyCertainMatches', async () => {
      const bruno3 = { resourceType: 'Patient', name: [{ family: 'Quintero', given: ['Bruno'] }], birthDate: '1992-02-20', gender: 'male' };
      const exact = await match(matchBody(bruno3));
      expect(exact.body.entry[0].resource.id).toBe(bruno);
      expect(exact.body.entry[0].search.extension[0]).toEqual({ url: MATCH_GRADE_URL, valueCode: 'certain' });
      const typo = await match(matchBody({ ...bruno3, name: [{ family: 'Quintero', given: ['Bruno'] }], birthDate: '1992-12-20' }));
      const top = typo.body.entry[0];
      expect(top.resource.id).toBe(bruno);
      expect(top.search.score).toBeLessThan(exact.body.entry[0].search.score);
      const stranger = await match(matchBody({ resourceType: 'Patient', name: [{ family: 'Quintero', given: ['Esmeralda'] }], birthDate: '1931-07-07', gender: 'female' }));
      for (const e of stranger.body.entry) expect(e.search.extension[0].valueCode).toBe('certainly-not');
      const certainOnly = await match(matchBody(bruno3, [{ name: 'onlyCertainMatches', valueBoolean: true }]));
      expect(ids(certainOnly.body)).toEqual([bruno]);
      const fam = await match(matchBody({ resourceType: 'Patient', name: [{ family: 'Quintero', given: ['Bella'] }], birthDate: '1980-06-01' }, [{ name: 'count', valueInteger: 1 }]));
      expect(fam.body.entry.map((e: any) => e.resource.id)).toEqual([bella]);
      const none = await match(matchBody({ resourceType: 'Patient' }));
      expect(none.body).toMatchObject({ resourceType: 'Bundle', total: 0, entry: [] });
    });

    it('refuses malformed input with 400 and oversized bodies with 413, as OperationOutcomes', async () => {
      const bad = [
        'not json',
        JSON.stringify({ resourceType: 'Patient' }),
        JSON.stringify({ resourceType: 'Parameters', parameter: [] }),
        matchBody(albertinePatient, [{ name: 'resource', resource: albertinePatient }]),
        matchBody({ resourceType: 'Practitioner' }),
        matchBody({ ...albertinePatient, birthDate: '04/03/1975' }),
        matchBody({ ...albertinePatient, name: [{ family: 'ZZ\r\nSet-Cookie: a=b' }] }),
        matchBody(albertinePatient, [{ name: 'count', valueInteger: 0 }]),
      ];
      for (const body of bad) {
        const r = await match(body);
        expect([body.slice(0, 60), r.status]).toEqual([body.slice(0, 60), 400]);
        expect(r.body.resourceType).toBe('OperationOutcome');
        expect(JSON.stringify(r.body)).not.toContain('Set-Cookie');
      }
      const big = await match(matchBody({ ...albertinePatient, text: 'x'.repeat(70 * 1024) }));
      expect(big.status).toBe(413);
      expect(operationOutcomeSchema.parse(big.body).issue[0]!.code).toBe('too-costly');
    });
  });

  describe('OpenAPI document', () => {
    it('describes every registered route, with the bearer scheme and the zod schemas', async () => {
      const r = await get('/openapi.json');
      expect(r.status).toBe(200);
      const doc = r.body;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const { createApi } = await import('../../src/api/app.js');
      const app = createApi({ database: t.service.database, registry: t.service.registry, keys: t.service.keys, logger: createLogger('silent'), config: t.config.file });
      const routes = app.routes.filter((x) => x.method !== 'ALL' && !x.path.includes('*'));
      expect(routes.length).toBeGreaterThan(10);
      for (const route of routes) {
        const path = route.path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
        const op = doc.paths[path]?.[route.method.toLowerCase()];
        expect([route.method, route.path, !!op]).toEqual([route.method, route.path, true]);
        // A route served without a RouteDoc would appear as x-undocumented: every one has its description.
        expect([route.method, route.path, op['x-undocumented'] ?? false, !!op.summary]).toEqual([route.method, route.path, false, true]);
      }
      const mine = ['/api/crosswalk', '/api/golden-records/{id}', '/fhir/Patient', '/fhir/Patient/{id}', '/fhir/Patient/$match', '/openapi.json', '/health', '/api/events', '/api/dead-letters', '/fhir/Patient/$ihe-pix'];
      for (const p of mine) {
        const ops = Object.values(doc.paths[p]) as any[];
        for (const op of ops) {
          expect([p, op['x-undocumented'] ?? false]).toEqual([p, false]);
          expect(op.summary).toBeTruthy();
        }
      }
      expect(doc.paths['/health'].get.security).toEqual([]);
      expect(doc.paths['/api/crosswalk'].get.security).toEqual([{ bearer: [] }]);
      expect(doc.paths['/api/dead-letters'].get['x-required-role']).toBe('admin');
      expect(doc.paths['/fhir/Patient'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['family', 'family:exact', 'given', 'birthdate', 'gender', 'identifier', '_count']));
      expect(doc.paths['/fhir/Patient/{id}'].get.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
      expect(doc.paths['/fhir/Patient/$match'].post.responses['413'].content['application/fhir+json'].schema.$ref).toBe('#/components/schemas/OperationOutcome');
      expect(doc.paths['/api/crosswalk'].get.responses['403'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorEnvelope');
      const operationIds = Object.values(doc.paths).flatMap((ops: any) => Object.values(ops).map((op: any) => op.operationId));
      expect(new Set(operationIds).size).toBe(operationIds.length);
      // Every $ref resolves.
      const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
      for (const ref of new Set(refs)) expect([ref, doc.components.schemas[ref.slice(29, -1)] !== undefined]).toEqual([ref, true]);
      expect(doc.components.schemas.Patient.properties.identifier).toBeDefined();
    });
  });

  describe('audit', () => {
    it('writes who read which record for every read of patient data, and no patient data', async () => {
      const before = await query<{ n: number }>(db(), sql`select coalesce(max(id), 0)::int as n from audit_log`);
      await get(`/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|Q1`)}`);
      await get(`/api/golden-records/${bella}`);
      await get(`/fhir/Patient/${bruno}`);
      await search('family=quintero');
      await match(matchBody(albertinePatient, [{ name: 'count', valueInteger: 2 }]));
      await get(`/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|NOPE`)}`);
      const rows = await query<{ actor: string; action: string; entityType: string; entityId: string; detail: unknown }>(
        db(),
        sql`select actor, action, entity_type as "entityType", entity_id as "entityId", detail from audit_log where id > ${before[0]!.n} and actor like 'api:%' order by id`,
      );
      const seen = rows.map((r) => `${r.action} ${r.entityType} ${r.entityId}`);
      expect(seen).toEqual(
        expect.arrayContaining([
          `crosswalk.query golden_record ${quixote}`,
          `golden.read golden_record ${bella}`,
          `patient.read golden_record ${bruno}`,
          `pdqm.search golden_record ${bella}`,
          `pdqm.search golden_record ${bruno}`,
          `match.query golden_record ${albertine}`,
          'crosswalk.query query -',
        ]),
      );
      expect(rows.length).toBe(8);
      expect(new Set(rows.map((r) => r.actor)).size).toBe(1);
      expect(rows[0]!.actor).toMatch(/^api:key-[0-9a-f]{12}$/);
      const text = JSON.stringify(rows);
      for (const phi of ['QUINTERO', 'quintero', 'ZZYZX', 'Zzyzx', 'Q1', 'NOPE']) expect(text).not.toContain(phi);
    });
  });

  describe('bad input and security', () => {
    const reads = () => [
      `/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|AL1`)}`,
      `/api/golden-records/${albertine}`,
      `/fhir/Patient/${albertine}`,
      '/fhir/Patient?family=qui',
      '/openapi.json',
    ];

    it('answers 401 without a key or with a wrong one, 403 with a role too low, in the envelope of the route', async () => {
      for (const path of reads()) {
        for (const key of ['', 'wrong-key-0123456789abcdef']) {
          const r = await get(path, key);
          expect([path, key, r.status]).toEqual([path, key, 401]);
          if (path.startsWith('/fhir/')) expect(r.body.issue[0].code).toBe('login');
          else expect(r.body.error.code).toBe('unauthorized');
        }
      }
      const m = await match(matchBody(albertinePatient), '');
      expect(m.status).toBe(401);
      expect(m.body.resourceType).toBe('OperationOutcome');
      const forbidden = await get('/api/dead-letters');
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('forbidden');
      // An admin reads too (roles are ranked).
      expect((await get(`/api/golden-records/${albertine}`, ADMIN_KEY)).status).toBe(200);
      const retry = await rawPost(t.service.httpPort, '/api/dead-letters/retry', ADMIN_KEY, 'x'.repeat(1024 * 1024 + 10));
      expect(retry.status).toBe(413);
      expect(JSON.parse(retry.body).error.code).toBe('payload_too_large');
    });

    it('treats SQL injection in every parameter as data: 400, 403 or 404 (or an empty result), tables intact', async () => {
      const count = async () => (await query<{ n: number }>(db(), sql`select (select count(*) from source_records)::int + (select count(*) from golden_records)::int + (select count(*) from blocking_keys)::int as n`))[0]!.n;
      const n0 = await count();
      const evil = ["' OR '1'='1", "'; DROP TABLE source_records; --", '1) OR (1=1', "x' UNION SELECT id::text FROM golden_records --", '\\x27; select pg_sleep(5); --'];
      const statuses = new Set<number>();
      for (const e of evil) {
        const paths = [
          `/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|${e}`)}`,
          `/api/crosswalk?identifier=${enc(`${e}|AL1`)}`,
          `/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|AL1`)}&target=${enc(e)}`,
          `/api/golden-records/${enc(e)}`,
          `/fhir/Patient/${enc(e)}`,
          `/fhir/Patient?family=${enc(e)}`,
          `/fhir/Patient?family:exact=${enc(e)}`,
          `/fhir/Patient?given=${enc(e)}`,
          `/fhir/Patient?family=qui&birthdate=${enc(e)}`,
          `/fhir/Patient?family=qui&gender=${enc(e)}`,
          `/fhir/Patient?identifier=${enc(`urn:oid:${OID_A}|${e}`)}`,
          `/fhir/Patient?identifier=${enc(`${e}|1`)}`,
          `/fhir/Patient?telecom=${enc(e)}`,
          `/fhir/Patient?family=qui&_count=${enc(e)}`,
          `/fhir/Patient/$ihe-pix?sourceIdentifier=${enc(`urn:oid:${OID_A}|${e}`)}`,
          `/api/events?after=${enc(e)}`,
        ];
        for (const path of paths) {
          const r = await get(path);
          statuses.add(r.status);
          expect([path, [200, 400, 403, 404].includes(r.status)]).toEqual([path, true]);
          if (r.status === 200 && r.body.resourceType === 'Bundle') expect([path, r.body.total]).toEqual([path, 0]);
        }
        const m = await match(matchBody({ ...albertinePatient, name: [{ family: e, given: [e] }], birthDate: '1975-03-04' }));
        expect(m.status).toBe(200);
      }
      expect(statuses.has(500)).toBe(false);
      expect(await count()).toBe(n0);
      expect((await crosswalk(`urn:oid:${OID_A}|AL1`)).body.goldenId).toBe(albertine);
    });

    it('reflects CR/LF from parameters nowhere: not in headers, not in bodies, not in the log', async () => {
      const crlf = 'A\r\nSet-Cookie: injected=1\r\nX-Injected: 1';
      const paths = [
        `/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|${crlf}`)}`,
        `/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|AL1`)}&target=${enc(crlf)}`,
        `/api/crosswalk?identifier=${enc(`urn:oid:${OID_A}|AL1`)}&${enc(crlf)}=1`,
        `/api/golden-records/${enc(crlf)}`,
        `/fhir/Patient/${enc(crlf)}`,
        `/fhir/Patient?family=${enc(crlf)}`,
        `/fhir/Patient?family=qui&${enc(crlf)}=1`,
        `/fhir/Patient?identifier=${enc(`${crlf}|1`)}`,
        `/fhir/Patient/$ihe-pix?sourceIdentifier=${enc(`urn:oid:${OID_A}|${crlf}`)}`,
      ];
      for (const path of paths) {
        const r = await get(path);
        expect([path, r.status]).toEqual([path, 400]);
        expect(r.headers.get('set-cookie')).toBeNull();
        expect(r.headers.get('x-injected')).toBeNull();
        expect(JSON.stringify(r.body)).not.toMatch(/injected/i);
      }
      expect(logLines.join('\n')).not.toMatch(/injected|ZZYZX|QUINTERO|ALBERTINE/i);
    });
  });
});

/**
 * A POST on a connection of its own: the server answers an oversized body before reading it and closes the
 * connection, which must not be a pooled one the next request would reuse.
 */
function rawPost(port: number, path: string, key: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may close while the body is still being written: the answer has already arrived.
    req.on('error', (e) => (e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e));
    req.end(body);
  });
}
