import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../algorithms/fellegi-sunter.js';
import { candidateScore, scoreGoldens } from '../../algorithms/golden-score.js';
import { parseModel } from '../../algorithms/model.js';
import { buildNicknameIndex, parseNicknameCsv } from '../../algorithms/normalize/nicknames.js';
import { normalizePerson } from '../../algorithms/person.js';
import { loadKnownGivenNames } from '../../src/linkage/matcher.js';

const cm = compile(parseModel(JSON.parse(readFileSync(new URL('../../fixtures/models/default-model.json', import.meta.url), 'utf8'))));
const rows = parseNicknameCsv(readFileSync(new URL('../../fixtures/names/nicknames.csv', import.meta.url), 'utf8'));
const nicknames = buildNicknameIndex(rows);
const known = loadKnownGivenNames();

const person = (given: string, opts: { ssn?: string; home?: boolean } = {}) =>
  normalizePerson(
    {
      names: [{ given, family: 'Abernathy' }],
      birthDate: '2005-08-17',
      sex: 'M',
      ssn: opts.ssn ?? null,
      addresses: opts.home ? [{ street: '27 Clover Ln', city: 'Danville', state: 'IL', zip: '61832' }] : [],
      phones: opts.home ? [{ number: '2175550456' }] : [],
    },
    nicknames,
  );

describe('scoreGoldens', () => {
  it('the best member speaks for its golden record: its score, its member', () => {
    const [g] = scoreGoldens(cm, person('Samuel'), [
      { goldenId: 'g', person: person('Sam'), member: 'sam' },
      { goldenId: 'g', person: person('Samuel', { home: true }), member: 'samuel' },
    ], undefined, known);
    expect(g!.bestMember).toBe('samuel');
    expect(g!.vetoes.size).toBe(0);
    expect(candidateScore(g!)).toMatchObject({ goldenId: 'g', weight: g!.best.weight, probability: g!.best.probability, householdVeto: false, sameAuthority: false });
  });

  it("another member's firm veto holds: SAMSON is not carried in by SAM where SAMUEL's record says 'twin'", () => {
    const samson = person('Samson');
    const [g] = scoreGoldens(cm, samson, [
      { goldenId: 'g', person: person('Sam'), member: 'sam' },
      { goldenId: 'g', person: person('Samuel', { home: true }), member: 'samuel' },
    ], undefined, known);
    expect(g!.bestMember).toBe('sam');
    expect(g!.best.vetoes).toEqual([]);
    expect([...g!.vetoes]).toEqual(['possible-twin']);
    expect([...g!.firm]).toEqual(['possible-twin']);
    expect(candidateScore(g!).householdVeto).toBe(true);
  });

  it("another member's soft veto (a form the vocabulary does not know) does not: ROBERT's golden record takes ROERT's ROB", () => {
    const [g] = scoreGoldens(cm, person('Rob'), [
      { goldenId: 'g', person: person('Roert'), member: 'roert' },
      { goldenId: 'g', person: person('Robert'), member: 'robert' },
    ], undefined, known);
    expect(g!.bestMember).toBe('robert');
    expect(g!.vetoes.size).toBe(0);
  });

  it('golden records are scored apart; one member of the same authority marks its golden record', () => {
    const out = scoreGoldens(cm, person('Samuel'), [
      { goldenId: 'a', person: person('Samuel'), member: 1, sameAuthority: true },
      { goldenId: 'b', person: person('Samuel'), member: 2 },
      { goldenId: 'a', person: person('Samuel'), member: 3 },
    ]);
    expect(out.map((g) => [g.goldenId, g.sameAuthority])).toEqual([['a', true], ['b', false]]);
  });
});
