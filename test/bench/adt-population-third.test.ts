// The third synthetic population and ADT feed of bench/adt-quality.ts (`--generator third`): deterministic and
// fast, every message valid HL7 v2.5 that the service's own parser and mapping accept with the config built from
// the sender specs, per-sender order kept, and the ground truth and hard cases what the generator says they are.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectInterpretedAsTruth } from '../helpers/population.js';
import { parseNicknameCsv } from '../../algorithms/normalize/nicknames.js';
import { POPULATION_OID_ROOT, recordKey, serviceConfigFor, truthMap, type PopulationMessage, type Variation } from '../../bench/adt-population.js';
import { generateThirdPopulation, HISPANIC_NICKNAMES, THIRD_RATES, thirdPopulationSenders, type ThirdPerson } from '../../bench/adt-population-third.js';
import { parseFileConfig, type FileConfig } from '../../src/config.js';
import { parseMessage } from '../../src/hl7/index.js';
import { AuthorityRegistry } from '../../src/ingest/authorities.js';
import { interpret, type Interpreted } from '../../src/ingest/interpret.js';
import { openDatabase, type Database } from '../../src/storage/db.js';

const nicknames = parseNicknameCsv(readFileSync(new URL('../../fixtures/names/nicknames.csv', import.meta.url), 'utf8')).map(([a, , b]) => [a, b] as const);
const N = 2000;
const t0 = performance.now();
const pop = generateThirdPopulation({ seed: 7, persons: N, nicknames });
const elapsedMs = performance.now() - t0;
const personOf = (id: number): ThirdPerson => pop.persons[id]!;
const years = (a: string, b: string) => Math.abs(Date.parse(b) - Date.parse(a)) / (365.25 * 86_400_000);
const sameAddress = (a: ThirdPerson, b: ThirdPerson) => JSON.stringify(a.addresses) === JSON.stringify(b.addresses);
const fields = (segment: string) => segment.split('|');
const segments = (m: PopulationMessage) => m.text.split('\r').filter(Boolean);
/** First message of each record (its registration). */
const registration = new Map<string, PopulationMessage>();
for (const m of pop.messages) if (!registration.has(recordKey(m.oid, m.mrn))) registration.set(recordKey(m.oid, m.mrn), m);
const pidOf = (m: PopulationMessage) => parseMessage(m.text).segment('PID')!;

let database: Database;
beforeAll(async () => {
  database = await openDatabase({});
});
afterAll(async () => {
  await database?.close();
});

describe('determinism and size', () => {
  it('the same seed gives the same persons, records and messages, byte for byte; another seed another feed', () => {
    const again = generateThirdPopulation({ seed: 7, persons: N, nicknames });
    expect(again.messages.map((m) => m.text).join('\n')).toBe(pop.messages.map((m) => m.text).join('\n'));
    expect(again.records).toEqual(pop.records);
    expect(again.persons).toEqual(pop.persons);
    const other = generateThirdPopulation({ seed: 8, persons: N, nicknames });
    expect(other.messages.map((m) => m.text).join('\n')).not.toBe(pop.messages.map((m) => m.text).join('\n'));
  });

  it('is fast: 2,000 persons in well under a second (generous bound for a loaded machine)', () => {
    expect(elapsedMs).toBeLessThan(3000);
  });

  it('has exactly the persons asked for, every one with a record, households consistent', () => {
    expect(pop.persons).toHaveLength(N);
    pop.persons.forEach((p, i) => expect(p.id).toBe(i));
    expect(new Set(pop.records.map((r) => r.person)).size).toBe(N);
    expect(pop.households.flat().sort((a, b) => a - b)).toEqual(pop.persons.map((p) => p.id));
    pop.households.forEach((h, i) => h.forEach((id) => expect(personOf(id).household).toBe(i)));
    expect(pop.rates).toEqual(THIRD_RATES);
    expect(pop.seed).toBe(7);
    // Works without a nickname list and for tiny populations too.
    expect(generateThirdPopulation({ seed: 1, persons: 5 }).persons).toHaveLength(5);
  });
});

describe('senders', () => {
  it('six distinct senders under the .3xx OIDs with the flavours the brief asks for, and a config the service accepts', () => {
    const senders = thirdPopulationSenders();
    expect(senders.length).toBeGreaterThanOrEqual(5);
    expect(new Set(senders.map((s) => s.oid)).size).toBe(senders.length);
    expect(new Set(senders.map((s) => `${s.application}|${s.facility}`)).size).toBe(senders.length);
    for (const s of senders) expect(s.oid.startsWith(`${POPULATION_OID_ROOT}.3`)).toBe(true);
    for (const s of senders) expect(s.oid).toMatch(/\.3\d\d$/);
    const f = senders.map((s) => [s.kind, s.flavour.cx4, s.flavour.ssn]);
    expect(f).toContainEqual(['hospital', 'full', 'pid19-dashed']);
    expect(f).toContainEqual(['hospital', 'full', 'pid19']);
    expect(f).toContainEqual(['lab', 'oid', 'none']);
    expect(f.some(([k, cx4]) => k === 'clinic' && cx4 === 'namespace')).toBe(true);
    expect(f.some(([, cx4, ssn]) => cx4 === 'empty' && ssn === 'pid3')).toBe(true);
    expect(senders.filter((s) => s.flavour.update === 'A31')).toHaveLength(1);
    const config = parseFileConfig(serviceConfigFor(pop.senders));
    expect(config.senders).toHaveLength(pop.senders.length);
  });
});

describe('every message is valid HL7 v2.5 that the service accepts', () => {
  let config: FileConfig;
  const results: Array<{ m: PopulationMessage; it: Interpreted }> = [];

  beforeAll(async () => {
    config = parseFileConfig(serviceConfigFor(pop.senders));
    const registry = await AuthorityRegistry.load(database.db, config);
    const now = new Date('2026-01-01T00:00:00Z');
    for (const m of pop.messages) results.push({ m, it: interpret(m.text, config, registry, now) });
  });

  it('MSH first with ADT^event^structure, version 2.5; EVN, PID; A40 with MRG; escaped delimiters only', () => {
    const structure: Record<string, string> = { A01: 'ADT_A01', A04: 'ADT_A01', A08: 'ADT_A01', A28: 'ADT_A05', A31: 'ADT_A05', A40: 'ADT_A39' };
    for (const m of pop.messages) {
      expect(m.text.endsWith('\r')).toBe(true);
      const segs = segments(m);
      expect(segs[0]!.startsWith('MSH|^~\\&|')).toBe(true);
      const msh = fields(segs[0]!);
      expect(msh[8]).toBe(`ADT^${m.event}^${structure[m.event]}`);
      expect(msh[9]).toBe(m.controlId);
      expect(msh[11]).toBe('2.5');
      expect(segs.map((s) => s.slice(0, 3))).toEqual(m.event === 'A40' ? ['MSH', 'EVN', 'PID', 'MRG'] : ['MSH', 'EVN', 'PID', 'PV1']);
      const pid = fields(segs[2]!);
      expect(pid[7]).toMatch(/^\d{8}$/);
      expect(['F', 'M']).toContain(pid[8]);
      expect(pid[5]!.split('~')[0]!.split('^').length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(pop.messages.map((m) => m.event))).toEqual(new Set(['A01', 'A04', 'A08', 'A28', 'A31', 'A40']));
  });

  it('parses and maps to the record the ground truth names', () => {
    expectInterpretedAsTruth(pop, results);
  });

  it('reads what each sender sends, where it sends it', () => {
    const bySender = new Map(pop.senders.map((s) => [s.name, s]));
    const seen = { ssnPid3: 0, ssnPid19: 0, placeholder: 0, phone: 0, address: 0, maiden: 0, accents: 0 };
    for (const { m, it } of results) {
      const s = bySender.get(m.sender)!;
      const p = personOf(m.person);
      const d = it.command.kind === 'register' ? it.command.demographics : it.command.groups[0]!.demographics;
      expect(d.sex).toBe(p.sex);
      expect(d.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (s.kind === 'lab') {
        expect(d.ssn).toBeUndefined();
        expect(d.phones).toEqual([]);
        expect(d.addresses).toEqual([]);
      }
      if (d.ssn) {
        expect(s.flavour.ssn).not.toBe('none');
        if (d.ssn === '999999999') seen.placeholder++;
        else if (s.flavour.ssn === 'pid3') seen.ssnPid3++;
        else seen.ssnPid19++;
      }
      if (d.phones.length) seen.phone++;
      if (d.addresses.length) seen.address++;
      if (d.names.some((n) => n.type === 'M')) {
        expect(p.maidenFamily).toBeDefined();
        seen.maiden++;
      }
      if (d.names.some((n) => /[ÁÉÍÓÚÑ]/.test(n.family ?? ''))) seen.accents++;
    }
    expect(seen.ssnPid3).toBeGreaterThan(100);
    expect(seen.ssnPid19).toBeGreaterThan(500);
    expect(seen.placeholder).toBeGreaterThan(10);
    expect(seen.phone).toBeGreaterThan(2000);
    expect(seen.address).toBeGreaterThan(2000);
    expect(seen.maiden).toBeGreaterThan(0);
    expect(seen.accents).toBeGreaterThan(10);
  });

  it('keeps each sender in time order: registration before its updates, A40 after both records; control ids unique and rising', () => {
    const registered = new Set<string>();
    const last = new Map<string, { at: number; controlId: string }>();
    const ids = new Set<string>();
    for (const m of pop.messages) {
      const key = recordKey(m.oid, m.mrn);
      if (['A01', 'A04', 'A28'].includes(m.event) && !registered.has(key)) registered.add(key);
      else expect(registered.has(key), `${m.controlId} before its registration`).toBe(true);
      if (m.retired) expect(registered.has(recordKey(m.oid, m.retired))).toBe(true);
      const prev = last.get(m.sender);
      if (prev) {
        expect(m.at).toBeGreaterThanOrEqual(prev.at);
        expect(m.controlId > prev.controlId).toBe(true);
      }
      last.set(m.sender, m);
      expect(ids.has(`${m.sender}|${m.controlId}`)).toBe(false);
      ids.add(`${m.sender}|${m.controlId}`);
    }
    // A registration event per record, exactly once.
    expect(registered.size).toBe(pop.records.length);
  });
});

describe('ground truth', () => {
  it('keys every source record once, and every record has messages', () => {
    expect(truthMap(pop).size).toBe(pop.records.length);
    const withMessages = new Set(pop.messages.map((m) => recordKey(m.oid, m.mrn)));
    for (const r of pop.records) expect(withMessages.has(recordKey(r.oid, r.mrn))).toBe(true);
    expect(pop.records.length).toBeGreaterThan(N * 1.6);
  });

  it('A40s merge a duplicate into the first record of the same person at the same sender', () => {
    const a40s = pop.messages.filter((m) => m.event === 'A40');
    const byKey = new Map(pop.records.map((r) => [recordKey(r.oid, r.mrn), r]));
    expect(a40s.length).toBeGreaterThan(0);
    expect(a40s.length).toBe(pop.records.filter((r) => r.mergedByA40).length);
    for (const m of a40s) {
      const survivor = byKey.get(recordKey(m.oid, m.mrn))!;
      const retired = byKey.get(recordKey(m.oid, m.retired!))!;
      expect(retired.mergedByA40).toBe(true);
      expect(retired.duplicate).toBe(true);
      expect(survivor.duplicate).toBe(false);
      expect(survivor.sender).toBe(retired.sender);
      expect(survivor.sender).toBe(m.sender);
      expect([survivor.person, retired.person]).toEqual([m.person, m.person]);
    }
    const dups = pop.records.filter((r) => r.duplicate);
    expect(dups.length).toBeGreaterThan(a40s.length);
    for (const d of dups) expect(pop.records.some((r) => r.person === d.person && r.sender === d.sender && !r.duplicate)).toBe(true);
    // The lab never merges.
    expect(a40s.some((m) => m.sender === 'PINNACLE')).toBe(false);
  });

  it('variations use the shared vocabulary and agree with what the registration says', () => {
    const allowed: Variation[] = ['typo-family', 'typo-given', 'typo-street', 'nickname', 'dob-swap', 'dob-digit', 'missing-ssn', 'missing-phone', 'missing-address', 'maiden-family', 'suffix', 'delimiter'];
    const count = new Map<string, number>();
    for (const r of pop.records) {
      for (const v of r.variations) {
        expect(allowed).toContain(v);
        count.set(v, (count.get(v) ?? 0) + 1);
      }
      const p = personOf(r.person);
      const pid = pidOf(registration.get(recordKey(r.oid, r.mrn))!);
      const dob = pid.field(7)!.repetitions[0]!.component(1)?.value ?? '';
      const clean = p.birthDate.replace(/-/g, '');
      if (r.errors.includes('dob-swap')) expect(dob).toBe(`${clean.slice(0, 4)}${clean.slice(6)}${clean.slice(4, 6)}`);
      else if (r.errors.includes('dob-jan1')) expect(dob).toBe(`${clean.slice(0, 4)}0101`);
      else if (r.errors.includes('dob-year')) expect(Math.abs(Number(dob.slice(0, 4)) - Number(clean.slice(0, 4)))).toBe(1);
      else if (r.errors.includes('dob-digit') || r.errors.includes('dob-ocr')) expect([...dob].filter((c, i) => c !== clean[i])).toHaveLength(1);
      else expect(dob).toBe(clean);
      if (r.variations.includes('dob-digit')) expect(r.errors.some((e) => ['dob-digit', 'dob-ocr', 'dob-year', 'dob-jan1'].includes(e))).toBe(true);
    }
    const R = pop.records.length;
    for (const v of allowed) expect(count.get(v) ?? 0, v).toBeGreaterThan(0);
    expect(count.get('typo-family')! / R).toBeGreaterThan(0.02);
    expect(count.get('typo-family')! / R).toBeLessThan(0.15);
    const errors = new Set(pop.records.flatMap((r) => r.errors));
    for (const e of ['family-keyboard', 'family-ocr', 'family-phonetic', 'given-ocr', 'nickname', 'alias', 'given-middle-swap', 'name-swap', 'given-initial', 'dob-jan1', 'dob-year', 'ssn-digit', 'ssn-transposed', 'ssn-placeholder', 'ssn-guarantor', 'old-address', 'surname-part', 'particle-format', 'lower-case', 'whitespace'] as const) {
      expect(errors.has(e), e).toBe(true);
    }
  });

  it('a nickname is a nickname of the given name; an OCR record is the lab, a jan-1 DOB the urgent care', () => {
    const nick = new Map<string, Set<string>>();
    for (const [a, b] of [...nicknames, ...HISPANIC_NICKNAMES]) {
      const k = a.toUpperCase();
      nick.set(k, (nick.get(k) ?? new Set()).add(b.toUpperCase()));
    }
    let checked = 0;
    for (const r of pop.records) {
      if (!r.errors.includes('nickname') || r.errors.some((e) => e.startsWith('given-') || e === 'name-swap' || e === 'whitespace')) continue;
      const p = personOf(r.person);
      const given = (pidOf(registration.get(recordKey(r.oid, r.mrn))!).field(5)!.repetitions[0]!.component(2)?.value ?? '').toUpperCase();
      const ok = nick.get(p.given)?.has(given) || nick.get(p.given.split(' ')[1] ?? '')?.has(given);
      expect(ok, `${p.given} → ${given}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    for (const r of pop.records) {
      if (r.errors.includes('family-ocr') || r.errors.includes('given-ocr')) expect(['PINNACLE', 'COASTAL']).toContain(r.sender);
      if (r.errors.includes('dob-jan1')) expect(r.sender).toBe('QUICKCARE');
      if (r.errors.includes('ssn-placeholder')) expect(r.sender).toBe('QUICKCARE');
    }
  });
});

describe('hard cases', () => {
  it('twins (and triplets): same family, DOB, household and address; different given names, often similar', () => {
    expect(pop.twinPairs.length).toBeGreaterThanOrEqual(Math.round(N * THIRD_RATES.twins * 0.8));
    let similar = 0;
    for (const [a, b] of pop.twinPairs.map(([x, y]) => [personOf(x), personOf(y)] as const)) {
      expect(a.household).toBe(b.household);
      expect(a.family).toBe(b.family);
      expect(a.birthDate).toBe(b.birthDate);
      expect(sameAddress(a, b)).toBe(true);
      expect(a.given).not.toBe(b.given);
      expect(a.tags).toContain('twin');
      if (a.ssn && b.ssn) expect(a.ssn).not.toBe(b.ssn);
      if (a.given[0] === b.given[0]) similar++;
    }
    expect(similar / pop.twinPairs.length).toBeGreaterThan(0.3);
    for (const set of pop.tripletSets) {
      for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(pop.twinPairs).toContainEqual([set[i], set[j]]);
    }
    // Consecutive SSNs (issued at birth together) for some twins: one digit apart, like an SSN typo.
    expect(pop.persons.some((p) => p.traits.includes('consecutive-ssn'))).toBe(true);
  });

  it('juniors and seniors: same given and family name and address, DOB 20-35 years apart, suffix sent by some records only', () => {
    expect(pop.juniorSeniorPairs).toHaveLength(Math.round(N * THIRD_RATES.juniorSenior));
    for (const [sr, jr] of pop.juniorSeniorPairs.map(([x, y]) => [personOf(x), personOf(y)] as const)) {
      expect([sr.suffix, jr.suffix]).toEqual(['SR', 'JR']);
      expect([jr.given, jr.family]).toEqual([sr.given, sr.family]);
      expect(sr.household).toBe(jr.household);
      expect(sameAddress(sr, jr)).toBe(true);
      const gap = years(sr.birthDate, jr.birthDate);
      expect(gap).toBeGreaterThan(19.5);
      expect(gap).toBeLessThan(35.5);
      expect(sr.juniorSeniorOf).toBe(jr.id);
    }
    const ids = new Set(pop.juniorSeniorPairs.flat());
    const recs = pop.records.filter((r) => ids.has(r.person));
    const withSuffix = recs.filter((r) => r.variations.includes('suffix')).length;
    expect(withSuffix).toBeGreaterThan(0);
    expect(withSuffix).toBeLessThan(recs.length);
  });

  it('very common names belong to many distinct people, some born the same year', () => {
    const byName = new Map<string, string[]>();
    for (const p of pop.persons) byName.set(`${p.given} ${p.family}`, [...(byName.get(`${p.given} ${p.family}`) ?? []), p.birthDate]);
    const crowded = [...byName.values()].filter((dobs) => new Set(dobs).size >= 4);
    expect(crowded.length).toBeGreaterThanOrEqual(3);
    expect(crowded.some((dobs) => new Set(dobs.map((d) => d.slice(0, 4))).size < dobs.length)).toBe(true);
    expect(pop.persons.filter((p) => p.tags.includes('common-name')).length).toBeGreaterThan(N * 0.01);
  });

  it('namesakes: unrelated, same name, sex and DOB, different cities', () => {
    expect(pop.namesakePairs.length).toBeGreaterThan(0);
    for (const [a, b] of pop.namesakePairs.map(([x, y]) => [personOf(x), personOf(y)] as const)) {
      expect([b.given, b.family, b.sex, b.birthDate]).toEqual([a.given, a.family, a.sex, a.birthDate]);
      expect(a.household).not.toBe(b.household);
      expect(a.addresses[0]!.city).not.toBe(b.addresses[0]!.city);
      if (a.ssn && b.ssn) expect(a.ssn).not.toBe(b.ssn);
    }
  });

  it('siblings 1-7 years apart in one household; spouses share address and phone; households share the address', () => {
    expect(pop.siblingPairs.length).toBeGreaterThan(50);
    let close = 0;
    for (const [a, b] of pop.siblingPairs.map(([x, y]) => [personOf(x), personOf(y)] as const)) {
      expect(a.household).toBe(b.household);
      expect(a.birthDate).not.toBe(b.birthDate);
      if (years(a.birthDate, b.birthDate) <= 3.5) close++;
    }
    expect(close / pop.siblingPairs.length).toBeGreaterThan(0.5);
    expect(pop.spousePairs.length).toBeGreaterThan(100);
    for (const [a, b] of pop.spousePairs.map(([x, y]) => [personOf(x), personOf(y)] as const)) {
      expect(a.household).toBe(b.household);
      expect(sameAddress(a, b)).toBe(true);
      expect(a.addresses[0]!.phone).toBe(b.addresses[0]!.phone);
    }
    const multi = pop.households.filter((h) => h.length > 1);
    expect(multi.length / pop.households.length).toBeGreaterThan(0.4);
    for (const h of multi) for (const id of h) expect(personOf(id).addresses[0]!.street).toBe(personOf(h[0]!).addresses[0]!.street);
  });

  it('marriages change family names during the feed (some double-barrel), households move, senders lag behind', () => {
    const changed = pop.persons.filter((p) => p.tags.includes('name-change'));
    expect(changed.length).toBeGreaterThan(10);
    for (const p of changed) {
      expect(p.maidenFamily).toBeDefined();
      expect(p.family).not.toBe(p.maidenFamily);
      expect(p.nameChangeAt).toBeGreaterThan(0);
    }
    expect(changed.some((p) => p.family.includes('-'))).toBe(true);
    expect(pop.records.filter((r) => r.variations.includes('maiden-family')).length).toBeGreaterThan(10);
    const moved = pop.persons.filter((p) => p.tags.includes('moved'));
    expect(moved.length / N).toBeGreaterThan(THIRD_RATES.move * 0.5);
    for (const p of moved) expect(p.addresses.length).toBe(2);
    expect(pop.records.some((r) => r.errors.includes('old-address'))).toBe(true);
  });
});

describe('bench:adt-quality scoring', () => {
  it('the truth itself scores precision, recall and F1 of 1, with no hard-case pair merged', async () => {
    const small = generateThirdPopulation({ seed: 3, persons: 400, nicknames });
    const { score } = await import('../../bench/adt-quality.js');
    const s = score(small, new Map(small.records.map((r) => [recordKey(r.oid, r.mrn), `p${r.person}`])));
    expect([s.precision, s.recall, s.f1, s.falseMergePairs]).toEqual([1, 1, 1, 0]);
    expect(s.goldenRecords).toBe(small.persons.length);
    expect([s.twinPairsMerged, s.juniorSeniorPairsMerged, s.householdPairsMerged]).toEqual([0, 0, 0]);
  });
});
