import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../algorithms/fellegi-sunter.js';
import { scoreGoldens } from '../../algorithms/golden-score.js';
import { GUARANTOR_GENERATION_YEARS, withoutGuarantorSsns } from '../../algorithms/guarantor-ssn.js';
import { parseModel } from '../../algorithms/model.js';
import { buildNicknameIndex, parseNicknameCsv } from '../../algorithms/normalize/nicknames.js';
import { normalizePerson, type Person } from '../../algorithms/person.js';
import { loadKnownGivenNames } from '../../src/linkage/matcher.js';

const model = parseModel(JSON.parse(readFileSync(new URL('../../fixtures/models/default-model.json', import.meta.url), 'utf8')));
const cm = compile(model);
const nicknames = buildNicknameIndex(parseNicknameCsv(readFileSync(new URL('../../fixtures/names/nicknames.csv', import.meta.url), 'utf8')));
const known = loadKnownGivenNames();

const HOME = { street: '48 Orchard Way', city: 'Decatur', state: 'GA', zip: '30030' };
const person = (given: string, dob: string, ssn: string | null, sex = 'M'): Person =>
  normalizePerson({ names: [{ given, family: 'Washington' }], birthDate: dob, sex, ssn, addresses: [HOME], phones: [{ number: '4045550188' }] }, nicknames);

const PARENT_SSN = '412-76-3390';
const parent = person('Marcus', '1988-02-14', PARENT_SSN);

describe('withoutGuarantorSsns', () => {
  it('an SSN held once is kept, and the very objects are returned', () => {
    const a = person('Jaylen', '2021-06-03', '512-88-1034');
    const out = withoutGuarantorSsns([parent, a]);
    expect(out[0]).toBe(parent);
    expect(out[1]).toBe(a);
  });

  it('the SSN a child shares with a parent born a generation before is read as not sent on the child\'s record only', () => {
    const child = person('Jaylen', '2021-06-03', PARENT_SSN);
    const [p, c] = withoutGuarantorSsns([parent, child]);
    expect(p).toBe(parent);
    expect(c!.ssn).toBeNull();
    expect(child.ssn).not.toBeNull(); // a copy: cached persons are never changed
    expect(c!.given).toBe('JAYLEN');
  });

  it.each([
    [GUARANTOR_GENERATION_YEARS - 1, false],
    [GUARANTOR_GENERATION_YEARS, true],
  ])('%i years apart → stripped: %s', (years, stripped) => {
    const younger = person('Jaylen', `${1988 + years}-06-03`, PARENT_SSN);
    expect(withoutGuarantorSsns([parent, younger])[1]!.ssn === null).toBe(stripped);
  });

  it('one person whose birth year was keyed wrong (1958 / 1988, same day and month) keeps the SSN on both records', () => {
    const typo = person('Marcus', '2018-02-14', PARENT_SSN);
    expect(withoutGuarantorSsns([parent, typo]).map((p) => p.ssn)).toEqual([parent.ssn, parent.ssn]);
  });

  it('a record without a birth date is left as it is', () => {
    const undated = normalizePerson({ names: [{ given: 'Jaylen', family: 'Washington' }], ssn: PARENT_SSN, addresses: [], phones: [] }, nicknames);
    expect(withoutGuarantorSsns([parent, undated])[1]).toBe(undated);
  });
});

describe('scoreGoldens with a guarantor\'s SSN', () => {
  it("a child's record carrying the parent's SSN links to the child's own record, which carries the child's SSN", () => {
    const own = person('Jaylen', '2021-06-03', '512-88-1034');
    const withGuarantor = person('Jaylen', '2021-06-03', PARENT_SSN);
    const scores = scoreGoldens(cm, withGuarantor, [
      { goldenId: 'child', person: own, member: 'own' },
      { goldenId: 'parent', person: parent, member: 'parent' },
    ], undefined, known);
    const child = scores.find((g) => g.goldenId === 'child')!;
    expect(child.vetoes.size).toBe(0);
    expect(child.best.probability).toBeGreaterThan(model.thresholds.upper);
    // Without the parent among the persons scored nothing says whose SSN it is: the SSNs disagree.
    const [alone] = scoreGoldens(cm, withGuarantor, [{ goldenId: 'child', person: own, member: 'own' }], undefined, known);
    expect([...alone!.vetoes]).toContain('ssn-disagrees');
  });

  it("two siblings of one birth date, both carrying the parent's SSN, are not one person by it", () => {
    const jaylen = person('Jaylen', '2021-06-03', PARENT_SSN);
    const jordan = person('Jordan', '2021-06-03', PARENT_SSN);
    const [sibling] = scoreGoldens(cm, jaylen, [
      { goldenId: 'jordan', person: jordan, member: 'jordan' },
      { goldenId: 'parent', person: parent, member: 'parent' },
    ], undefined, known);
    expect(sibling!.goldenId).toBe('jordan');
    expect([...sibling!.vetoes]).toContain('household-given-name');
  });
});
