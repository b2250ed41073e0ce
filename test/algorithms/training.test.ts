// trainModel on a generated population whose true pairs are known: the trained model is valid, deterministic
// for a seed, and its m for exact agreement is the share actually seen among the true pairs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchWeight } from '../../algorithms/fellegi-sunter.js';
import { parseModel, type Model } from '../../algorithms/model.js';
import { C, compareVector, levelIndex } from '../../algorithms/person-comparisons.js';
import { normalizePerson, type Person, type PersonInput } from '../../algorithms/person.js';
import { trainModel } from '../../algorithms/training.js';
import { mulberry32, pick, randomString } from '../helpers/prng.js';

const base = parseModel(JSON.parse(readFileSync(new URL('../../fixtures/models/default-model.json', import.meta.url), 'utf8')));

const LETTERS = 'ABCDEFGHIJKLMNOPRSTUVWY';
const pad = (n: number) => String(n).padStart(2, '0');

/** One keystroke substituted somewhere in s. */
function typo(r: () => number, s: string): string {
  const i = Math.floor(r() * s.length);
  let c = pick(r, [...LETTERS]);
  if (c === s[i]) c = c === 'A' ? 'E' : 'A';
  return s.slice(0, i) + c + s.slice(i + 1);
}

interface Population {
  persons: Person[];
  entity: number[];
}

/** `people` people, each recorded 1 to 3 times; duplicates carry typos, changed dates and missing values. */
function population(seed: number, people: number): Population {
  const r = mulberry32(seed);
  const persons: Person[] = [];
  const entity: number[] = [];
  const givens = Array.from({ length: 150 }, () => randomString(r, LETTERS, 3, 8));
  const families = Array.from({ length: 400 }, () => randomString(r, LETTERS, 4, 9));
  const zips = Array.from({ length: 60 }, (_, i) => String(2000 + i * 7));
  for (let e = 0; e < people; e++) {
    const given = pick(r, givens);
    const family = pick(r, families);
    const y = 1930 + Math.floor(r() * 80);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const zip = pick(r, zips);
    const street = `${1 + Math.floor(r() * 200)} ${randomString(r, LETTERS, 5, 9)} ST`;
    const copies = 1 + Math.floor(r() * 3);
    for (let k = 0; k < copies; k++) {
      const noisy = k > 0;
      const input: PersonInput = {
        names: [{ given: noisy && r() < 0.15 ? typo(r, given) : given, family: noisy && r() < 0.15 ? typo(r, family) : family }],
        birthDate: noisy && r() < 0.05 ? null : `${noisy && r() < 0.1 ? y + 1 : y}-${pad(m)}-${pad(d)}`,
        sex: null,
        addresses: [{ street: noisy && r() < 0.2 ? '' : street, zip: noisy && r() < 0.2 ? pick(r, zips) : zip }],
        phones: [],
        ssn: null,
      };
      persons.push(normalizePerson(input));
      entity.push(e);
    }
  }
  return { persons, entity };
}

const weight = (model: Model, c: number, l: number): number => {
  const level = model.comparisons[c]!.levels[l]!;
  if (level.isNull) throw new Error('null level');
  return matchWeight(level.m, level.u);
};
const mOf = (model: Model, c: number, l: number): number => {
  const level = model.comparisons[c]!.levels[l]!;
  return level.isNull ? Number.NaN : level.m;
};

describe('trainModel', () => {
  const pop = population(11, 1500);
  const trained = trainModel(pop.persons, { base, random: mulberry32(5), randomPairs: 30_000 });

  it('returns a valid model that keeps the base thresholds, labels, level order and term-frequency weights', () => {
    const model = parseModel(JSON.parse(JSON.stringify(trained.model)));
    expect(model.version).toBe(base.version + 1);
    expect(model.name).toBe(`${base.name}-trained`);
    expect(model.thresholds).toEqual(base.thresholds);
    expect(model.comparisons.map((c) => c.levels.map((l) => [l.label, l.isNull, l.isNull ? 0 : l.tfWeight]))).toEqual(
      base.comparisons.map((c) => c.levels.map((l) => [l.label, l.isNull, l.isNull ? 0 : l.tfWeight])),
    );
    for (const c of model.comparisons) for (const l of c.levels) if (!l.isNull) expect(l.m > 0 && l.m < 1 && l.u > 0 && l.u < 1, `${c.name}.${l.label}`).toBe(true);
    expect(trained.randomPairs).toBe(30_000);
    expect(trained.comparablePairs).toBe((pop.persons.length * (pop.persons.length - 1)) / 2);
    expect(trained.sessions.map((s) => s.rule)).toEqual(['dob', 'given+family']);
    for (const s of trained.sessions) {
      expect(s.pairs).toBeGreaterThan(0);
      expect(s.converged).toBe(true);
      expect(s.logLikelihood).toHaveLength(s.iterations);
    }
  });

  it('is deterministic for a seed', () => {
    const again = trainModel(pop.persons, { base, random: mulberry32(5), randomPairs: 30_000 });
    expect(again.model).toEqual(trained.model);
    const other = trainModel(pop.persons, { base, random: mulberry32(6), randomPairs: 30_000 });
    expect(other.model).not.toEqual(trained.model);
  });

  it('gives exact names and dates large positive weights and disagreement negative ones', () => {
    const m = trained.model;
    expect(weight(m, C.given_name, levelIndex('given_name', 'exact'))).toBeGreaterThan(5);
    expect(weight(m, C.family_name, levelIndex('family_name', 'exact'))).toBeGreaterThan(7);
    expect(weight(m, C.dob, levelIndex('dob', 'exact'))).toBeGreaterThan(10);
    expect(weight(m, C.given_name, levelIndex('given_name', 'else'))).toBeLessThan(-2);
    expect(weight(m, C.family_name, levelIndex('family_name', 'else'))).toBeLessThan(-2);
    expect(weight(m, C.dob, levelIndex('dob', 'else'))).toBeLessThan(-2);
    // A comparison the population never fills keeps the base parameters.
    expect(m.comparisons[C.ssn]).toEqual(base.comparisons[C.ssn]);
  });

  it('recovers m of exact agreement, and λ, as measured on the true pairs', () => {
    const out = new Uint8Array(8);
    const levels = { given: levelIndex('given_name', 'exact'), family: levelIndex('family_name', 'exact'), dob: levelIndex('dob', 'exact') };
    const agree = { given: [0, 0], family: [0, 0], dob: [0, 0] };
    let truePairs = 0;
    const byEntity = new Map<number, number[]>();
    pop.entity.forEach((e, i) => byEntity.set(e, [...(byEntity.get(e) ?? []), i]));
    for (const members of byEntity.values()) {
      for (let a = 0; a < members.length; a++) {
        for (let b = a + 1; b < members.length; b++) {
          truePairs++;
          const v = compareVector(pop.persons[members[a]!]!, pop.persons[members[b]!]!, out);
          for (const [key, c] of [['given', C.given_name], ['family', C.family_name], ['dob', C.dob]] as const) {
            if (v[c] === 0) continue;
            agree[key][1]!++;
            if (v[c] === levels[key]) agree[key][0]!++;
          }
        }
      }
    }
    const share = (k: keyof typeof agree) => agree[k][0]! / agree[k][1]!;
    expect(Math.abs(mOf(trained.model, C.given_name, levels.given) - share('given'))).toBeLessThan(0.02);
    expect(Math.abs(mOf(trained.model, C.family_name, levels.family) - share('family'))).toBeLessThan(0.02);
    expect(Math.abs(mOf(trained.model, C.dob, levels.dob) - share('dob'))).toBeLessThan(0.02);
    const lambda = truePairs / trained.comparablePairs;
    expect(trained.model.lambda / lambda).toBeGreaterThan(0.9);
    expect(trained.model.lambda / lambda).toBeLessThan(1.1);
  });

  it('trains a linkage on comparable pairs only', () => {
    const half = pop.persons.length >> 1;
    const comparable = (i: number, j: number) => i < half !== j < half;
    const r = trainModel(pop.persons, { base, random: mulberry32(5), randomPairs: 10_000, comparable });
    expect(r.comparablePairs).toBe(half * (pop.persons.length - half));
    expect(r.randomPairs).toBe(10_000);
    expect(() => parseModel(r.model)).not.toThrow();
  });

  it('handles a tiny population without throwing, and still yields a valid model', () => {
    const tiny = population(3, 3).persons.slice(0, 5);
    const r = trainModel(tiny, { base, random: mulberry32(1) });
    expect(r.comparablePairs).toBe((tiny.length * (tiny.length - 1)) / 2);
    expect(r.randomPairs).toBe(r.comparablePairs);
    expect(() => parseModel(r.model)).not.toThrow();
    expect(trainModel([], { base, random: mulberry32(1) }).model.lambda).toBe(base.lambda);
    expect(() => parseModel(trainModel(population(3, 1).persons.slice(0, 1), { base, random: mulberry32(1) }).model)).not.toThrow();
  });

  it('refuses a base model that does not describe the comparison vector', () => {
    const wrong = parseModel({ ...base, comparisons: base.comparisons.slice(1) });
    expect(() => trainModel(pop.persons, { base: wrong, random: mulberry32(1) })).toThrow(/comparisons/);
  });
});
