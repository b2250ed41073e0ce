// The synthetic population and multi-sender ADT feed of bench/adt-quality.ts: deterministic, every message
// accepted by the service's own parser and mapping (with the config built from the sender specs), and the
// hard cases the ground truth promises are really there, at the rates the generator claims.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectInterpretedAsTruth } from '../helpers/population.js';
import { parseNicknameCsv } from '../../algorithms/normalize/nicknames.js';
import {
  DEFAULT_RATES,
  defaultPopulationSenders,
  generatePopulation,
  hl7Escape,
  recordKey,
  serviceConfigFor,
  truthMap,
  typo,
  type Person,
  type Population,
  type PopulationMessage,
} from '../../bench/adt-population.js';
import { parseFileConfig, type FileConfig } from '../../src/config.js';
import { DEFAULT_DELIMITERS, parseMessage, unescapeValue } from '../../src/hl7/index.js';
import { AuthorityRegistry } from '../../src/ingest/authorities.js';
import { interpret, type Interpreted } from '../../src/ingest/interpret.js';
import { openDatabase, type Database } from '../../src/storage/db.js';

const nicknames = parseNicknameCsv(readFileSync(new URL('../../fixtures/names/nicknames.csv', import.meta.url), 'utf8')).map(([a, , b]) => [a, b] as const);
const N = 2000;
const pop = generatePopulation({ seed: 11, persons: N, nicknames });
const personOf = (id: number): Person => pop.persons[id]!;

const sameAddress = (a: Person, b: Person) => JSON.stringify(a.addresses) === JSON.stringify(b.addresses);
const years = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / (365.25 * 86_400_000);

// One in-memory database for the suite: AuthorityRegistry.load stores the configured authorities, as at start-up.
let database: Database;
beforeAll(async () => {
  database = await openDatabase({});
});
afterAll(async () => {
  await database?.close();
});

describe('determinism', () => {
  it('the same seed gives the same persons, records and messages, byte for byte', () => {
    const again = generatePopulation({ seed: 11, persons: N, nicknames });
    expect(again.messages.length).toBe(pop.messages.length);
    expect(again.messages.map((m) => m.text).join('\n')).toBe(pop.messages.map((m) => m.text).join('\n'));
    expect(again.records).toEqual(pop.records);
    expect(again.persons).toEqual(pop.persons);
  });

  it('another seed gives another feed', () => {
    const other = generatePopulation({ seed: 12, persons: N, nicknames });
    expect(other.messages.map((m) => m.text).join('\n')).not.toBe(pop.messages.map((m) => m.text).join('\n'));
  });

  it('has exactly the persons asked for, every one with at least one record', () => {
    expect(pop.persons).toHaveLength(N);
    pop.persons.forEach((p, i) => expect(p.id).toBe(i));
    const withRecord = new Set(pop.records.map((r) => r.person));
    expect(withRecord.size).toBe(N);
    for (const h of pop.households) for (const id of h) expect(personOf(id).household).toBe(personOf(h[0]!).household);
  });
});

describe('every message is accepted by the service parser and mapping', () => {
  let config: FileConfig;
  let registry: AuthorityRegistry;
  const results: Array<{ m: PopulationMessage; it: Interpreted }> = [];

  beforeAll(async () => {
    config = parseFileConfig(serviceConfigFor(pop.senders));
    registry = await AuthorityRegistry.load(database.db, config);
    const now = new Date('2025-06-01T00:00:00Z');
    for (const m of pop.messages) results.push({ m, it: interpret(m.text, config, registry, now) });
  });
  it('parses and maps to the record the ground truth names', () => {
    expectInterpretedAsTruth(pop, results);
  });

  it('reads the demographics each sender sends, where it puts them', () => {
    const bySender = new Map(pop.senders.map((s) => [s.name, s]));
    const seen = { ssnPid3: 0, ssnPid19: 0, phone: 0, maidenRep: 0 };
    for (const { m, it } of results) {
      const s = bySender.get(m.sender)!;
      const p = personOf(m.person);
      const d = it.command.kind === 'register' ? it.command.demographics : it.command.groups[0]!.demographics;
      expect(d.sex).toBe(p.sex);
      expect(d.names[0]!.type).toBe('L');
      expect(d.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (d.ssn) {
        expect(s.flavour.ssn).not.toBe('none');
        expect(d.ssn).toBe(p.ssn);
        if (s.flavour.ssn === 'pid3') seen.ssnPid3++;
        else seen.ssnPid19++;
      }
      if (s.kind === 'lab') {
        expect(d.ssn).toBeUndefined();
        expect(d.phones).toEqual([]);
      }
      if (d.phones.length) seen.phone++;
      if (d.names.some((n) => n.type === 'M')) {
        expect(p.maidenFamily).toBeDefined();
        seen.maidenRep++;
      }
    }
    expect(seen.ssnPid3).toBeGreaterThan(100);
    expect(seen.ssnPid19).toBeGreaterThan(100);
    expect(seen.phone).toBeGreaterThan(1000);
    expect(seen.maidenRep).toBeGreaterThan(0);
  });

  it('keeps each sender in order: registration before its updates and merges; control ids unique and rising', () => {
    const registered = new Set<string>();
    const lastControl = new Map<string, string>();
    for (const m of pop.messages) {
      const key = recordKey(m.oid, m.mrn);
      if (['A01', 'A04', 'A28'].includes(m.event) && !registered.has(key)) registered.add(key);
      else expect(registered.has(key), `${m.controlId} before its registration`).toBe(true);
      if (m.retired) expect(registered.has(recordKey(m.oid, m.retired))).toBe(true);
      const prev = lastControl.get(m.sender);
      if (prev !== undefined) expect(m.controlId > prev).toBe(true);
      lastControl.set(m.sender, m.controlId);
    }
  });
});

describe('ground truth and hard cases', () => {
  it('keys every source record once', () => {
    expect(truthMap(pop).size).toBe(pop.records.length);
    expect(pop.records.length).toBeGreaterThan(N * 1.5);
  });

  it('twins: same family, DOB, address and phone, different given names and SSNs, at the twin rate', () => {
    expect(pop.twinPairs).toHaveLength(Math.round(N * DEFAULT_RATES.twins));
    let similar = 0;
    for (const [a, b] of pop.twinPairs.map(([x, y]) => [personOf(x), personOf(y)] as const)) {
      expect(a.household).toBe(b.household);
      expect(a.family).toBe(b.family);
      expect(a.birthDate).toBe(b.birthDate);
      expect(sameAddress(a, b)).toBe(true);
      expect(a.given).not.toBe(b.given);
      if (a.ssn && b.ssn) expect(a.ssn).not.toBe(b.ssn);
      if (a.given[0] === b.given[0]) similar++;
      expect(a.twinOf).toBe(b.id);
    }
    // Similar or same-initial given names are the common case (JAYDEN / JAYLEN).
    expect(similar / pop.twinPairs.length).toBeGreaterThan(0.3);
  });

  it('juniors and seniors: same full name and address, DOB 25-35 years apart, suffix sent by some records only', () => {
    expect(pop.juniorSeniorPairs).toHaveLength(Math.round(N * DEFAULT_RATES.juniorSenior));
    for (const [sr, jr] of pop.juniorSeniorPairs.map(([x, y]) => [personOf(x), personOf(y)] as const)) {
      expect([sr.suffix, jr.suffix]).toEqual(['SR', 'JR']);
      expect([jr.given, jr.middle, jr.family]).toEqual([sr.given, sr.middle, sr.family]);
      expect(sameAddress(sr, jr)).toBe(true);
      const gap = years(sr.birthDate, jr.birthDate);
      expect(gap).toBeGreaterThan(24);
      expect(gap).toBeLessThan(36);
    }
    const ids = new Set(pop.juniorSeniorPairs.flat());
    const recs = pop.records.filter((r) => ids.has(r.person));
    const withSuffix = recs.filter((r) => r.variations.includes('suffix')).length;
    expect(withSuffix).toBeGreaterThan(0);
    expect(withSuffix).toBeLessThan(recs.length);
  });

  it('very common names belong to many distinct people', () => {
    const byName = new Map<string, Set<string>>();
    for (const p of pop.persons) {
      const k = `${p.given} ${p.family}`;
      const s = byName.get(k) ?? new Set<string>();
      s.add(p.birthDate);
      byName.set(k, s);
    }
    const crowded = [...byName.values()].filter((s) => s.size >= 4).length;
    expect(crowded).toBeGreaterThanOrEqual(3);
    expect(pop.persons.filter((p) => p.tags.includes('common-name')).length / N).toBeGreaterThan(DEFAULT_RATES.commonName * 0.5);
  });

  it('households share address and phone', () => {
    const multi = pop.households.filter((h) => h.length > 1);
    expect(multi.length / pop.households.length).toBeGreaterThan(0.4);
    for (const h of multi) {
      const [first, ...rest] = h.map(personOf);
      for (const p of rest) expect(sameAddress(first!, p)).toBe(true);
    }
  });

  it('same-sender duplicates: a second MRN at the same sender, some merged by an A40 from that sender', () => {
    const dups = pop.records.filter((r) => r.duplicate);
    const expected = pop.senders.reduce((a, s) => a + s.coverage * s.errors.duplicate, 0) * N;
    expect(dups.length).toBeGreaterThan(expected * 0.6);
    expect(dups.length).toBeLessThan(expected * 1.5);
    for (const d of dups) {
      expect(pop.records.some((r) => r.person === d.person && r.sender === d.sender && !r.duplicate)).toBe(true);
    }
    const a40s = pop.messages.filter((m) => m.event === 'A40');
    expect(a40s.length).toBe(dups.filter((d) => d.mergedByA40).length);
    expect(a40s.length).toBeGreaterThan(0);
    expect(a40s.length).toBeLessThan(dups.length);
    for (const m of a40s) {
      const retired = pop.records.find((r) => r.oid === m.oid && r.mrn === m.retired)!;
      expect(retired.duplicate).toBe(true);
      expect(retired.person).toBe(m.person);
    }
  });

  it('name changes, moves, typos, nicknames and DOB errors occur at about the configured rates', () => {
    const count = (v: string) => pop.records.filter((r) => r.variations.includes(v as never)).length;
    const R = pop.records.length;
    expect(pop.persons.filter((p) => p.tags.includes('moved')).length / N).toBeGreaterThan(DEFAULT_RATES.move * 0.6);
    expect(pop.persons.filter((p) => p.tags.includes('name-change')).length).toBeGreaterThan(10);
    expect(count('maiden-family')).toBeGreaterThan(0);
    expect(count('typo-family') / R).toBeGreaterThan(0.01);
    expect(count('typo-family') / R).toBeLessThan(0.08);
    expect(count('typo-street')).toBeGreaterThan(0);
    expect(count('nickname')).toBeGreaterThan(20);
    expect(count('dob-swap')).toBeGreaterThan(0);
    expect(count('dob-digit')).toBeGreaterThan(0);
    expect(count('missing-ssn')).toBeGreaterThan(0);
    expect(count('missing-phone')).toBeGreaterThan(0);
    // Some persons are known to one sender only, others to several.
    const senders = new Map<number, Set<string>>();
    for (const r of pop.records) senders.set(r.person, (senders.get(r.person) ?? new Set()).add(r.sender));
    const sizes = [...senders.values()].map((s) => s.size);
    expect(sizes.filter((n) => n === 1).length).toBeGreaterThan(N * 0.1);
    expect(sizes.filter((n) => n >= 3).length).toBeGreaterThan(N * 0.1);
  });

  it('a nickname is a real nickname of the given name, a DOB error keeps a valid earlier date', () => {
    const pairs = new Set(nicknames.map(([a, b]) => `${a.toUpperCase()}>${b.toUpperCase()}`));
    const cfg = parseFileConfig(serviceConfigFor(pop.senders));
    // Read the given name and DOB back from registrations of records with those variations.
    const reg = new Map<string, string>();
    for (const m of pop.messages) if (!reg.has(recordKey(m.oid, m.mrn))) reg.set(recordKey(m.oid, m.mrn), m.text);
    let checked = 0;
    for (const r of pop.records) {
      const p = personOf(r.person);
      const pid = parseMessage(reg.get(recordKey(r.oid, r.mrn))!).segment('PID')!;
      const given = pid.field(5)!.repetitions[0]!.component(2)?.value ?? '';
      const dob = pid.field(7)!.repetitions[0]!.component(1)?.value ?? '';
      if (r.variations.includes('nickname') && !r.variations.includes('typo-given')) {
        expect(pairs.has(`${p.given}>${given.toUpperCase()}`), `${p.given} → ${given}`).toBe(true);
        checked++;
      }
      if (r.variations.includes('dob-swap')) expect(dob).toBe(`${p.birthDate.slice(0, 4)}${p.birthDate.slice(8, 10)}${p.birthDate.slice(5, 7)}`);
      if (r.variations.includes('dob-digit')) {
        expect(dob).not.toBe(p.birthDate.replace(/-/g, ''));
        expect([...dob].filter((c, i) => c !== p.birthDate.replace(/-/g, '')[i])).toHaveLength(1);
      }
      if (!r.variations.some((v) => v.startsWith('dob'))) expect(dob).toBe(p.birthDate.replace(/-/g, ''));
    }
    expect(checked).toBeGreaterThan(10);
    expect(cfg.senders).toHaveLength(pop.senders.length);
  });
});

describe('typos', () => {
  it('one keyboard-adjacent substitution, transposition or deletion', () => {
    const kinds = new Set<string>();
    for (let seed = 1; seed < 400; seed++) {
      const s = 'MARGARET';
      const t = typo(s, seed);
      expect(t).not.toBe(s);
      if (t.length === s.length - 1) kinds.add('deletion');
      else {
        const diff = [...t].map((c, i) => (c !== s[i] ? i : -1)).filter((i) => i >= 0);
        if (diff.length === 2 && t[diff[0]!] === s[diff[1]!] && t[diff[1]!] === s[diff[0]!]) kinds.add('transposition');
        else {
          expect(diff).toHaveLength(1);
          kinds.add('substitution');
        }
      }
    }
    expect([...kinds].sort()).toEqual(['deletion', 'substitution', 'transposition']);
    expect(typo('LI', 3)).toBe('LI');
  });
});

describe('HL7 delimiters in data', () => {
  it('hl7Escape escapes all five and round-trips through the parser', () => {
    const raw = 'A|B^C&D~E\\F';
    expect(hl7Escape(raw)).toBe('A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F');
    expect(unescapeValue(hl7Escape(raw), DEFAULT_DELIMITERS)).toBe(raw);
  });

  it('names and street lines with delimiters are escaped in messages and read back unchanged', async () => {
    const p: Population = generatePopulation({ seed: 5, persons: 600, nicknames, rates: { delimiter: 0.3 } });
    {
      const cfg = parseFileConfig(serviceConfigFor(p.senders));
      const reg = await AuthorityRegistry.load(database.db, cfg);
      const chars = new Set<string>();
      let checked = 0;
      for (const m of p.messages) {
        const person = p.persons[m.person]!;
        if (!person.tags.includes('delimiter')) continue;
        const it = interpret(m.text, cfg, reg, new Date('2025-06-01T00:00:00Z'));
        const d = it.command.kind === 'register' ? it.command.demographics : it.command.groups[0]!.demographics;
        // Every segment still has its fields where they belong: PID-7 and PID-8 read back as sent.
        expect(d.sex).toBe(person.sex);
        const other = person.addresses[0]!.other ?? '';
        if (/[\\|^&~]/.test(other) && d.addresses.length) {
          expect(d.addresses[0]!.other?.toUpperCase()).toBe(other);
          for (const c of other) if ('\\|^&~'.includes(c)) chars.add(c);
          checked++;
        }
        if (person.family.includes('&')) {
          expect(d.names[0]!.family?.toUpperCase()).toContain('&');
          expect(m.text).toContain('\\T\\');
          chars.add('&');
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(20);
      expect([...chars].sort()).toEqual(['&', '\\', '^', '|', '~'].sort());
    }
  });

  it('the default senders declare distinct OIDs under the bench root and a config the service accepts', () => {
    const senders = defaultPopulationSenders();
    expect(senders.length).toBeGreaterThanOrEqual(4);
    expect(new Set(senders.map((s) => s.oid)).size).toBe(senders.length);
    for (const s of senders) expect(s.oid).toMatch(/^2\.16\.840\.1\.113883\.3\.9999\.\d+$/);
    expect(() => parseFileConfig(serviceConfigFor(senders))).not.toThrow();
  });
});

describe('bench:adt-quality scoring', () => {
  const small = generatePopulation({ seed: 3, persons: 400, nicknames });
  const keys = small.records.map((r) => recordKey(r.oid, r.mrn));

  it('the truth itself scores precision, recall and F1 of 1, with no hard-case pair merged', async () => {
    const { score } = await import('../../bench/adt-quality.js');
    const s = score(small, new Map(small.records.map((r) => [recordKey(r.oid, r.mrn), `p${r.person}`])));
    expect([s.precision, s.recall, s.f1, s.falseMergePairs]).toEqual([1, 1, 1, 0]);
    expect(s.goldenRecords).toBe(small.persons.length);
    expect([s.twinPairsMerged, s.juniorSeniorPairsMerged, s.householdPairsMerged]).toEqual([0, 0, 0]);
    expect(s.sameSenderDuplicatesLinked).toBe(s.sameSenderDuplicates);
    expect(s.falseMergePersonPairs).toEqual({ twin: 0, juniorSenior: 0, household: 0, sameName: 0, other: 0 });
    for (const [k, [recall, n]] of Object.entries(s.recallBy)) expect([k, recall, n > 0]).toEqual([k, 1, true]);
    expect(s.recallBy.nickname?.[1]).toBeGreaterThan(0);
  });

  it('one golden record per source record: nothing predicted, recall 0', async () => {
    const { score } = await import('../../bench/adt-quality.js');
    const s = score(small, new Map(keys.map((k, i) => [k, `g${i}`])));
    expect([s.predictedPairs, s.recall, s.precision]).toEqual([0, 0, null]);
    expect(s.truePairs).toBeGreaterThan(0);
  });

  it('everything in one golden record: recall 1, every hard-case pair merged', async () => {
    const { score } = await import('../../bench/adt-quality.js');
    const s = score(small, new Map(keys.map((k) => [k, 'all'])));
    expect(s.recall).toBe(1);
    expect(s.precision!).toBeLessThan(0.01);
    expect(s.falseMergePairs).toBe(s.predictedPairs - s.truePairs);
    expect(s.twinPairsMerged).toBe(s.twinPairs);
    expect(s.juniorSeniorPairsMerged).toBe(s.juniorSeniorPairs);
    expect(s.householdPairsMerged).toBe(s.householdPairs);
    const n = small.persons.length;
    const f = s.falseMergePersonPairs;
    expect(f.twin).toBe(s.twinPairs);
    expect(f.juniorSenior).toBe(s.juniorSeniorPairs);
    expect(f.twin + f.juniorSenior + f.household).toBe(s.householdPairs);
    expect(f.twin + f.juniorSenior + f.household + f.sameName + f.other).toBe((n * (n - 1)) / 2);
  });
});
