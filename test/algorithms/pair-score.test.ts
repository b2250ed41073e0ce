import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sameSpokenName } from '../../algorithms/comparators/names.js';
import { compile, probabilityOf, type Contribution } from '../../algorithms/fellegi-sunter.js';
import { parseModel, type Model } from '../../algorithms/model.js';
import { buildNicknameIndex, parseNicknameCsv } from '../../algorithms/normalize/nicknames.js';
import { cutShort, firmVetoes, keystrokeSlip, rareSpelling, scorePair, smoothedFrequency, spokenAlike, SWAP_SLIP_MIN, TF_PSEUDO_RECORDS, type TermCounts } from '../../algorithms/pair-score.js';
import { compareLabels } from '../../algorithms/person-comparisons.js';
import { normalizePerson, type Person } from '../../algorithms/person.js';
import { loadKnownGivenNames, loadNicknames } from '../../src/linkage/matcher.js';

const model: Model = parseModel(JSON.parse(readFileSync(new URL('../../fixtures/models/default-model.json', import.meta.url), 'utf8')));
const cm = compile(model);
const nicknameRows = parseNicknameCsv(readFileSync(new URL('../../fixtures/names/nicknames.csv', import.meta.url), 'utf8'));
const nicknames = buildNicknameIndex(nicknameRows);
/** The vocabulary the service loads. */
const known = loadKnownGivenNames();

interface Spec {
  given?: string;
  middle?: string;
  family?: string;
  suffix?: string;
  dob?: string;
  sex?: string;
  ssn?: string;
  phone?: string;
  street?: string;
  city?: string;
  state?: string;
  zip?: string;
}

function person(s: Spec): Person {
  return normalizePerson(
    {
      names: [{ given: s.given, middle: s.middle, family: s.family, suffix: s.suffix }],
      birthDate: s.dob ?? null,
      sex: s.sex ?? null,
      ssn: s.ssn ?? null,
      addresses: s.street === undefined && s.zip === undefined ? [] : [{ street: s.street, city: s.city, state: s.state, zip: s.zip }],
      phones: s.phone === undefined ? [] : [{ number: s.phone }],
    },
    nicknames,
  );
}

/** One home: 12 Main St, Springfield IL 62701, (217) 482-6613. */
const HOME = { street: '12 Main St', city: 'Springfield', state: 'IL', zip: '62701', phone: '217-482-6613' } as const;
/** Another home, sharing nothing with HOME. */
const ELSEWHERE = { street: '907 Lakeview Ave', city: 'Madison', state: 'WI', zip: '53703', phone: '608-263-1170' } as const;

/** The model's level of a comparison by label. */
function modelLevel(comparison: string, label: string): { m: number; u: number; tfWeight: number } {
  const c = model.comparisons.find((x) => x.name === comparison);
  const l = c?.levels.find((x) => x.label === label);
  if (l === undefined || l.isNull) throw new Error(`no level ${comparison}/${label}`);
  return { m: l.m, u: l.u, tfWeight: l.tfWeight };
}

const contribution = (contributions: readonly Contribution[], name: string) => contributions.find((c) => c.comparison === name);

/** Prior plus every contribution (weight and tf adjustment). */
const waterfall = (ex: { prior: number; contributions: readonly Contribution[] }) =>
  ex.contributions.reduce((s, c) => s + c.weight + c.tfAdjustment, ex.prior);

const RESIDENCE = ['family_name', 'street', 'phone', 'postcode'] as const;

describe('scorePair: household correction', () => {
  const john = person({ given: 'John', family: 'Kowalczyk', dob: '1980-03-04', sex: 'M', ...HOME });
  const mary = person({ given: 'Mary', family: 'Kowalczyk', dob: '1982-07-09', sex: 'F', ...HOME });

  it('two members of one home: family, street, phone and postcode agree, and are counted once', () => {
    const labels = compareLabels(john, mary);
    for (const c of RESIDENCE) expect(labels[c]).toBe('exact');
    const s = scorePair(cm, john, mary);
    expect(s.household).toBe(true);

    // Independently: m_H = Π m_i, u_H = min u_i (no tf: u'_i = u_i), w_H replaces Σ log2(m_i/u_i).
    const levels = RESIDENCE.map((c) => modelLevel(c, labels[c]));
    const sumLogM = levels.reduce((s, l) => s + Math.log2(l.m), 0);
    const minU = Math.min(...levels.map((l) => l.u));
    const sumW = levels.reduce((s, l) => s + Math.log2(l.m / l.u), 0);
    const expected = sumLogM - Math.log2(minU) - sumW;
    expect(expected).toBeLessThan(0);

    const h = contribution(s.explanation.contributions, 'household');
    expect(h).toBeDefined();
    expect(h!.weight).toBeCloseTo(expected, 9);
    expect(h!.tfAdjustment).toBe(0);
    expect(s.explanation.contributions.filter((c) => c.comparison === 'household')).toHaveLength(1);

    // The per-comparison contributions are the model's own, untouched.
    for (const [i, c] of RESIDENCE.entries()) {
      expect(contribution(s.explanation.contributions, c)!.weight).toBeCloseTo(Math.log2(levels[i]!.m / levels[i]!.u), 9);
    }

    // The waterfall adds up, and the weight is the uncorrected score plus the correction.
    expect(waterfall(s.explanation)).toBeCloseTo(s.weight, 9);
    expect(s.explanation.weight).toBe(s.weight);
    const uncorrected = waterfall({ prior: s.explanation.prior, contributions: s.explanation.contributions.filter((c) => c.comparison !== 'household') });
    expect(s.weight).toBeCloseTo(uncorrected + expected, 9);
    expect(s.explanation.prior).toBeCloseTo(Math.log2(model.lambda / (1 - model.lambda)), 12);

    // Probability from the weight.
    expect(s.probability).toBeCloseTo(2 ** s.weight / (1 + 2 ** s.weight), 12);
    expect(s.explanation.probability).toBeCloseTo(s.probability, 12);
  });

  it('only the agreeing residence comparisons enter the correction (phone differs)', () => {
    const other = person({ given: 'Mary', family: 'Kowalczyk', dob: '1982-07-09', sex: 'F', ...HOME, phone: '312-744-2290' });
    const labels = compareLabels(john, other);
    expect(labels.phone).toBe('else');
    const s = scorePair(cm, john, other);
    expect(s.household).toBe(true);
    const agreeing = (['family_name', 'street', 'postcode'] as const).map((c) => modelLevel(c, labels[c]));
    const expected =
      agreeing.reduce((a, l) => a + Math.log2(l.m), 0) - Math.log2(Math.min(...agreeing.map((l) => l.u))) - agreeing.reduce((a, l) => a + Math.log2(l.m / l.u), 0);
    expect(contribution(s.explanation.contributions, 'household')!.weight).toBeCloseTo(expected, 9);
    expect(waterfall(s.explanation)).toBeCloseTo(s.weight, 9);
  });

  it.each([
    { name: 'common', count: 400, population: 20_000 },
    // Rare enough that the family name's u' (clamped at minTermFrequency) is the smallest of the four.
    { name: 'rare', count: 0, population: 10_000_000 },
  ])('with term frequencies the correction uses the tf-adjusted u of the family name ($name)', ({ count, population }) => {
    const tf: TermCounts = (c, v) => (c === 'family_name' && v === 'KOWALCZYK' ? { count, population } : undefined);
    const s = scorePair(cm, john, mary, tf);
    expect(s.household).toBe(true);

    const fam = modelLevel('family_name', 'exact');
    const freq = (count + TF_PSEUDO_RECORDS * fam.u) / (population + TF_PSEUDO_RECORDS);
    const tfAdj = fam.tfWeight * Math.log2(fam.u / Math.max(freq, model.minTermFrequency));
    const famContribution = contribution(s.explanation.contributions, 'family_name')!;
    expect(famContribution.tfAdjustment).toBeCloseTo(tfAdj, 9);
    expect(tfAdj).not.toBeCloseTo(0, 3);

    // u'_family = m / 2^(w + tf); the others have no tf.
    const others = (['street', 'phone', 'postcode'] as const).map((c) => modelLevel(c, 'exact'));
    const uFamily = fam.m / 2 ** (Math.log2(fam.m / fam.u) + tfAdj);
    const sumLogM = Math.log2(fam.m) + others.reduce((a, l) => a + Math.log2(l.m), 0);
    const minU = Math.min(uFamily, ...others.map((l) => l.u));
    const sumW = Math.log2(fam.m / fam.u) + tfAdj + others.reduce((a, l) => a + Math.log2(l.m / l.u), 0);
    if (count === 0) expect(minU).toBe(uFamily);
    expect(contribution(s.explanation.contributions, 'household')!.weight).toBeCloseTo(sumLogM - Math.log2(minU) - sumW, 9);
    expect(waterfall(s.explanation)).toBeCloseTo(s.weight, 9);
    expect(s.probability).toBeCloseTo(2 ** s.weight / (1 + 2 ** s.weight), 12);
  });

  it('no correction when only the family name agrees', () => {
    const stranger = person({ given: 'Mary', family: 'Kowalczyk', dob: '1982-07-09', sex: 'F', ...ELSEWHERE });
    const labels = compareLabels(john, stranger);
    expect(labels.family_name).toBe('exact');
    expect(labels.street).toBe('else');
    expect(labels.phone).toBe('else');
    expect(labels.postcode).toBe('else');
    const s = scorePair(cm, john, stranger);
    expect(s.household).toBe(false);
    expect(contribution(s.explanation.contributions, 'household')).toBeUndefined();
    expect(s.explanation.contributions).toHaveLength(model.comparisons.length);
    expect(waterfall(s.explanation)).toBeCloseTo(s.weight, 9);
    expect(s.vetoes).toEqual([]);
  });

  it('street and phone agreeing with neither name (lodgers, partners): no household, and the home is withheld', () => {
    const lodger = person({ given: 'Mary', family: 'Okonkwo', dob: '1982-07-09', sex: 'F', ...HOME });
    const s = scorePair(cm, john, lodger);
    expect(s.household).toBe(false);
    // No household veto; neither of their names agrees, though.
    expect(s.vetoes).toEqual(['names-differ']);
    const labels = compareLabels(john, lodger);
    const withheld = contribution(s.explanation.contributions, 'household');
    expect(withheld?.level).toBe('residence-withheld');
    // Exactly the agreeing street, phone and postcode weights come off.
    const address = s.explanation.contributions.filter((c) => ['street', 'phone', 'postcode'].includes(c.comparison) && c.weight > 0);
    expect(address.map((c) => c.comparison).sort()).toEqual(['phone', 'postcode', 'street'].filter((c) => labels[c as 'street'] !== 'else' && labels[c as 'street'] !== 'null').sort());
    expect(withheld!.weight).toBeCloseTo(-address.reduce((t, c) => t + c.weight, 0), 9);
    expect(waterfall(s.explanation)).toBeCloseTo(s.weight, 9);
    expect(s.probability).toBeLessThan(model.thresholds.lower); // no review item for a lodger
  });

  it('partners born days apart at one home: neither name agrees, so no review either', () => {
    const partner = { given: 'Mary', family: 'Okonkwo', dob: '1982-07-20', sex: 'M', ...HOME };
    const other = { given: 'Peter', family: 'Lindqvist', dob: '1982-07-12', sex: 'M', ...HOME };
    const s = scorePair(cm, person(other), person(partner));
    expect(s.vetoes).toContain('names-differ');
    expect(s.probability).toBeLessThan(model.thresholds.lower);
    // An SSN both carry and agree on is a legal change of both names: no veto, the home counts.
    const renamed = scorePair(cm, person({ ...other, ssn: '531-84-2276' }), person({ ...partner, ssn: '531-84-2276' }));
    expect(renamed.vetoes).not.toContain('names-differ');
    expect(contribution(renamed.explanation.contributions, 'household')).toBeUndefined();
    expect(renamed.probability).toBeGreaterThan(model.thresholds.upper);
  });

  it("the same first name at one home a generation apart, family names differing (SUSAN MILLER 1954 / SUSAN MONTGOMERY 1986): 'household-generation'", () => {
    const mother = person({ given: 'Susan', family: 'Miller', dob: '1954-06-17', sex: 'F', ...HOME });
    const daughter = person({ given: 'Susan', family: 'Montgomery', dob: '1986-06-25', sex: 'F', ...HOME });
    const s = scorePair(cm, mother, daughter);
    expect(s.household).toBe(false);
    expect(s.vetoes).toEqual(['household-generation']);
    expect(firmVetoes(s, mother, daughter, known)).toEqual(['household-generation']);
    // The address, counted three times, would carry it over the upper threshold; birth dates 32 years apart
    // that no keying error explains withhold it, and a parent and a child make no review item.
    const withheld = contribution(s.explanation.contributions, 'household');
    expect(withheld?.level).toBe('residence-withheld');
    expect(probabilityOf(s.weight - withheld!.weight)).toBeGreaterThan(model.thresholds.upper);
    expect(s.probability).toBeLessThan(model.thresholds.lower);
    // One keyed digit of the year (1954 / 1984) could be a typo of one person's date: the veto stays, the
    // home counts, and a steward decides.
    const typo = scorePair(cm, mother, person({ given: 'Susan', family: 'Montgomery', dob: '1984-06-17', sex: 'F', ...HOME }));
    expect(typo.vetoes).toEqual(['household-generation']);
    expect(contribution(typo.explanation.contributions, 'household')).toBeUndefined();
    expect(typo.probability).toBeGreaterThan(model.thresholds.lower);
    // One shared field (a ZIP code) is no shared home.
    expect(scorePair(cm, mother, person({ given: 'Susan', family: 'Montgomery', dob: '1986-06-25', sex: 'F', ...ELSEWHERE, zip: HOME.zip })).vetoes).toEqual([]);
  });

  it('the correction lowers the score of a household pair compared with the plain sum', () => {
    const s = scorePair(cm, john, mary);
    const plain = waterfall({ prior: s.explanation.prior, contributions: s.explanation.contributions.filter((c) => c.comparison !== 'household') });
    expect(s.weight).toBeLessThan(plain);
  });
});

describe('scorePair: names keyed the other way round', () => {
  it('one person, names reversed by one sender, at one home: links, the home counted once', () => {
    const a = person({ given: 'Anh', family: 'Nguyen', dob: '1977-12-03', sex: 'M', ...HOME });
    const b = person({ given: 'Nguyen', family: 'Anh', dob: '1977-12-03', sex: 'M', ...HOME });
    expect(compareLabels(a, b).family_name).toBe('reversed');
    const s = scorePair(cm, a, b, undefined, known);
    expect(s.household).toBe(true);
    expect(s.vetoes).toEqual([]);
    expect(s.probability).toBeGreaterThan(model.thresholds.upper);
  });

  it('two brothers named alike, one record reversed, born seven years apart at one home: a household, not one person', () => {
    const older = person({ given: 'Nguyen', family: 'Anh', dob: '1970-10-13', sex: 'M', ...HOME });
    const younger = person({ given: 'Anh', family: 'Nguyen', dob: '1977-12-03', sex: 'M', ...HOME });
    const s = scorePair(cm, older, younger, undefined, known);
    expect(s.household).toBe(true);
    expect(contribution(s.explanation.contributions, 'household')?.level).toBe('shared-residence');
    expect(s.probability).toBeLessThan(model.thresholds.lower);
  });

  it('a sister and a brother, similar names, one record reversed (ZIHAN YANG / YANG ZIHAO): no link', () => {
    const sister = person({ given: 'Zihan', family: 'Yang', dob: '2014-04-27', sex: 'F', ...HOME });
    const brother = person({ given: 'Yang', family: 'Zihao', dob: '2017-07-14', sex: 'M', ...HOME });
    expect(compareLabels(sister, brother).family_name).toBe('reversed');
    expect(scorePair(cm, sister, brother, undefined, known).probability).toBeLessThan(model.thresholds.lower);
  });

  it('a typo in a reversed name (GREENN HATTIE / HATTIE GREEN, one birth date, one home) is one person, no veto', () => {
    const a = person({ given: 'Greenn', family: 'Hattie', dob: '1961-03-23', sex: 'F', ...HOME });
    const b = person({ given: 'Hattie', family: 'Green', dob: '1961-03-23', sex: 'F', ...HOME });
    expect(compareLabels(a, b).family_name).toBe('reversed');
    const s = scorePair(cm, a, b, undefined, known);
    expect(s.vetoes).toEqual([]);
    expect(s.probability).toBeGreaterThan(model.thresholds.upper);
  });
});

describe('scorePair: a person who goes by the middle name', () => {
  it('JAMES MICHAEL / MICHAEL at one home with one birth date is one person; JOHN MICHAEL / MICHAEL JOHN too', () => {
    const full = person({ given: 'James', middle: 'Michael', family: 'Kowalczyk', dob: '1971-05-09', sex: 'M', ...HOME });
    const byMiddle = person({ given: 'Michael', family: 'Kowalczyk', dob: '1971-05-09', sex: 'M', ...HOME });
    const s = scorePair(cm, full, byMiddle, undefined, known);
    expect(s.vetoes).toEqual([]);
    expect(s.probability).toBeGreaterThan(model.thresholds.upper);
    const swapped = person({ given: 'Michael', middle: 'James', family: 'Kowalczyk', dob: '1971-05-09', sex: 'M', ...HOME });
    expect(compareLabels(full, swapped)).toMatchObject({ given_name: 'nickname', middle_name: 'exact' });
    expect(scorePair(cm, full, swapped, undefined, known).probability).toBeGreaterThan(model.thresholds.upper);
  });

  it('twins named for each other (JOHN MICHAEL / MICHAEL JAMES, one birth date, one home): two given names, the veto holds', () => {
    const john = person({ given: 'John', middle: 'Michael', family: 'Kowalczyk', dob: '2016-04-02', sex: 'M', ...HOME });
    const michael = person({ given: 'Michael', middle: 'James', family: 'Kowalczyk', dob: '2016-04-02', sex: 'M', ...HOME });
    expect(scorePair(cm, john, michael, undefined, known).vetoes).toContain('household-given-name');
  });

  it('two sisters, one named for the other\'s middle name (ANNA MARIE / MARIE LOUISE), born two years apart: no link', () => {
    const anna = person({ given: 'Anna', middle: 'Marie', family: 'Kowalczyk', dob: '1990-02-11', sex: 'F', ...HOME });
    const marie = person({ given: 'Marie', middle: 'Louise', family: 'Kowalczyk', dob: '1992-08-30', sex: 'F', ...HOME });
    expect(scorePair(cm, anna, marie, undefined, known).probability).toBeLessThan(model.thresholds.lower);
  });
});

describe('scorePair: vetoes', () => {
  it("twins in one home (JAYDEN / JAYLEN, same birth date): 'household-given-name'", () => {
    const a = person({ given: 'Jayden', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    const b = person({ given: 'Jaylen', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    expect(compareLabels(a, b).given_name).not.toBe('exact');
    const s = scorePair(cm, a, b);
    expect(s.household).toBe(true);
    expect(s.vetoes).toContain('household-given-name');
    expect(s.vetoes).not.toContain('household-generation');
  });

  it("twins in one home with one birth date keyed wrong (a digit, or day and month swapped): 'household-given-name'", () => {
    const a = person({ given: 'Jayden', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    for (const dob of ['2015-06-07', '2015-01-06', '2015-06-10']) {
      const b = person({ given: 'Jaylen', family: 'Kowalczyk', dob, sex: 'M', ...HOME });
      expect(compareLabels(a, b).dob).not.toBe('exact');
      expect(scorePair(cm, a, b, undefined, known).vetoes).toContain('household-given-name');
    }
    // One person's slip in the name (not a second real name) with the date keyed wrong as well: no veto.
    const jen = person({ given: 'Jennifer', family: 'Kowalczyk', dob: '1990-04-12', sex: 'F', ...HOME });
    expect(scorePair(cm, jen, person({ given: 'Jennifre', family: 'Kowalczyk', dob: '1990-04-17', sex: 'F', ...HOME }), undefined, known).vetoes).toEqual([]);
  });

  it("twins whose family name each source spelt its own way (COLINS / COLLYNS: 'phonetic') are still a home's two children", () => {
    const a = person({ given: 'Aliyah', family: 'Colins', dob: '2022-03-23', sex: 'F', ...HOME });
    const b = person({ given: 'Isabella', family: 'Collyns', dob: '2022-03-23', sex: 'F', ...HOME });
    expect(compareLabels(a, b).family_name).toBe('phonetic');
    expect(scorePair(cm, a, b, undefined, known).vetoes).toContain('household-given-name');
    // From a lab that sends no address: possible twins.
    expect(scorePair(cm, a, person({ given: 'Isabella', family: 'Collyns', dob: '2022-03-23', sex: 'F' }), undefined, known).vetoes).toEqual(['possible-twin']);
    // One child's own records, the family spelt two ways: no veto.
    expect(scorePair(cm, a, person({ given: 'Aliyah', family: 'Collyns', dob: '2022-03-23', sex: 'F', ...HOME }), undefined, known).vetoes).toEqual([]);
  });

  it('twins with SSNs one digit apart whose first names meet only through a second name each carries: a twin veto, not a nickname', () => {
    const withAlias = (given: string, alias: string, ssn: string) =>
      normalizePerson(
        { names: [{ given, family: 'Eze' }, { given: alias, family: 'Eze' }], birthDate: '2017-02-16', sex: 'F', ssn, addresses: [{ street: HOME.street, city: HOME.city, state: HOME.state, zip: HOME.zip }], phones: [{ number: HOME.phone }] },
        nicknames,
      );
    const a = withAlias('Funmilayo', 'Margaret', '219094512');
    const b = withAlias('Ngozi', 'Peggy', '219094513');
    expect(compareLabels(a, b)).toMatchObject({ given_name: 'nickname', ssn: 'one-digit-or-transposition' });
    expect(scorePair(cm, a, b, undefined, known).vetoes).toContain('household-given-name');
    // One person's nickname with an SSN typo: no veto.
    const kate = person({ given: 'Katherine', family: 'Eze', dob: '1990-04-12', sex: 'F', ssn: '219094512', ...HOME });
    const katie = person({ given: 'Kathy', family: 'Eze', dob: '1990-04-12', sex: 'F', ssn: '219094513', ...HOME });
    expect(compareLabels(kate, katie).given_name).toBe('nickname');
    expect(scorePair(cm, kate, katie, undefined, known).vetoes).toEqual([]);
  });

  it("two people at one home whose first names only sound alike and whose family names and birth dates differ: 'names-differ', the home withheld", () => {
    const a = person({ given: 'Juan', family: 'Liu', dob: '1972-01-12', sex: 'F', ...HOME });
    const b = person({ given: 'Yun', family: 'Wong', dob: '1966-03-04', sex: 'F', ...HOME });
    expect(compareLabels(a, b)).toMatchObject({ given_name: 'phonetic', family_name: 'else', dob: 'else' });
    const s = scorePair(cm, a, b, undefined, known);
    expect(s.vetoes).toContain('names-differ');
    expect(s.probability).toBeLessThan(0.5);
    // Spelt alike (TRANG / TRAN: jw-high) is no better when family name and birth date both disagree.
    const trang = person({ given: 'Trang', family: 'Pham', dob: '1998-09-26', sex: 'F', ...HOME });
    expect(compareLabels(trang, person({ given: 'Tran', family: 'Ngoc', dob: '1995-04-11', sex: 'F', ...HOME })).given_name).toBe('jw-high');
    expect(scorePair(cm, trang, person({ given: 'Tran', family: 'Ngoc', dob: '1995-04-11', sex: 'F', ...HOME }), undefined, known).vetoes).toContain('names-differ');
    // With one birth date they may be one person under a new family name: no such veto.
    expect(scorePair(cm, a, person({ given: 'Yun', family: 'Wong', dob: '1972-01-12', sex: 'F', ...HOME }), undefined, known).vetoes).not.toContain('names-differ');
  });

  it('the same typo outside a household is no veto', () => {
    const a = person({ given: 'Jayden', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    const b = person({ given: 'Jaylen', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...ELSEWHERE });
    const s = scorePair(cm, a, b);
    expect(s.household).toBe(false);
    expect(s.vetoes).toEqual([]);
  });

  it("twins seen from a source with no address or phone (same family and birth date): 'possible-twin'", () => {
    const a = person({ given: 'Jayden', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    const lab = person({ given: 'Jaylen', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M' });
    const s = scorePair(cm, a, lab);
    expect(s.household).toBe(false);
    expect(s.vetoes).toEqual(['possible-twin']);
    // The same name, a nickname or an agreeing SSN settles it; a different birth date is no twin.
    expect(scorePair(cm, a, person({ given: 'Jayden', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M' })).vetoes).toEqual([]);
    const withSsn = { ssn: '219094512' };
    expect(scorePair(cm, person({ given: 'Jayden', family: 'Kowalczyk', dob: '2015-06-01', ...withSsn, ...HOME }), person({ given: 'Jaylen', family: 'Kowalczyk', dob: '2015-06-01', ...withSsn })).vetoes).toEqual([]);
    expect(scorePair(cm, a, person({ given: 'Jaylen', family: 'Kowalczyk', dob: '2015-06-08', sex: 'M' })).vetoes).toEqual([]);
  });

  it('twins named with one first name and two second names (JOSE LUIS / JOSE ANTONIO): at home, from a lab, and living apart', () => {
    const luis = (x: Spec = {}) => person({ given: 'Jose', middle: 'Luis', family: 'Garza', dob: '1994-03-17', sex: 'M', ...x });
    const antonio = (x: Spec = {}) => person({ given: 'Jose', middle: 'Antonio', family: 'Garza', dob: '1994-03-17', sex: 'M', ...x });
    expect(compareLabels(luis(), antonio())).toMatchObject({ given_name: 'exact', middle_name: 'else' });
    expect(scorePair(cm, luis(HOME), antonio(HOME), undefined, known).vetoes).toContain('household-given-name');
    expect(scorePair(cm, luis(HOME), antonio(), undefined, known).vetoes).toEqual(['possible-twin']);
    // Two real second names: adult twins living apart.
    expect(scorePair(cm, luis(HOME), antonio(ELSEWHERE), undefined, known).vetoes).toEqual(['possible-twin']);
    // Given names in one field (MARIA FERNANDA) split the same way.
    const maria = (middle: string, x: Spec = {}) => person({ given: `Maria ${middle}`, family: 'Trevino', dob: '2009-11-02', sex: 'F', ...x });
    expect(scorePair(cm, maria('Jose', HOME), maria('Fernanda', HOME), undefined, known).vetoes).toContain('household-given-name');
  });

  it('one person with a middle name, its initial, or none, or with an agreeing SSN, or born another day, is no twin of two second names', () => {
    const jose = (middle: string | undefined, x: Spec = {}) => person({ given: 'Jose', middle, family: 'Garza', dob: '1994-03-17', sex: 'M', ...x });
    for (const other of ['Luis', 'L', undefined]) expect(scorePair(cm, jose('Luis', HOME), jose(other, HOME), undefined, known).vetoes).toEqual([]);
    expect(scorePair(cm, jose('Luis', { ...HOME, ssn: '219094512' }), jose('Antonio', { ...HOME, ssn: '219094512' }), undefined, known).vetoes).toEqual([]);
    expect(scorePair(cm, jose('Luis', HOME), jose('Antonio', { ...HOME, dob: '1996-08-30' }), undefined, known).vetoes).not.toContain('household-given-name');
    // A second name the vocabulary does not know, living apart: not enough to call them twins.
    expect(scorePair(cm, jose('Luis', HOME), jose('Xochitlan', ELSEWHERE), undefined, known).vetoes).toEqual([]);
  });

  it("a missing given name in a household: 'household-given-name'", () => {
    const a = person({ given: 'John', family: 'Kowalczyk', dob: '1980-03-04', ...HOME });
    const b = person({ family: 'Kowalczyk', dob: '1980-03-04', ...HOME });
    const s = scorePair(cm, a, b);
    expect(s.household).toBe(true);
    expect(s.vetoes).toContain('household-given-name');
  });

  it("father and son of the same name in one home, born 30 years apart: 'household-generation'", () => {
    const father = person({ given: 'John', family: 'Kowalczyk', dob: '1958-04-12', sex: 'M', ...HOME });
    const son = person({ given: 'John', family: 'Kowalczyk', dob: '1988-04-12', sex: 'M', ...HOME });
    const s = scorePair(cm, father, son);
    expect(s.household).toBe(true);
    expect(s.vetoes).toEqual(['household-generation']);
  });

  it('birth years 10 apart are a generation, 9 apart are not', () => {
    const a = person({ given: 'John', family: 'Kowalczyk', dob: '1970-04-12', ...HOME });
    expect(scorePair(cm, a, person({ given: 'John', family: 'Kowalczyk', dob: '1980-04-12', ...HOME })).vetoes).toContain('household-generation');
    expect(scorePair(cm, a, person({ given: 'John', family: 'Kowalczyk', dob: '1979-04-12', ...HOME })).vetoes).not.toContain('household-generation');
  });

  it('a keyed year (1958 / 1988) with an SSN both carry and agree on is one person; a whole other birth date with the same SSN is not settled', () => {
    const father = { given: 'John', family: 'Kowalczyk', dob: '1958-04-12', ssn: '531-84-2276', ...HOME };
    const typo = scorePair(cm, person(father), person({ ...father, dob: '1988-04-12' }));
    expect(compareLabels(person(father), person({ ...father, dob: '1988-04-12' })).dob).toBe('one-digit');
    expect(typo.vetoes).toEqual([]);
    // Without the SSN it is a father and a son born on the same day and month, as far as anyone can tell.
    expect(scorePair(cm, person({ ...father, ssn: undefined }), person({ ...father, ssn: undefined, dob: '1988-04-12' })).vetoes).toEqual(['household-generation']);
    // A son's record carrying his father's SSN as the guarantor's: another date altogether keeps the veto.
    expect(scorePair(cm, person(father), person({ ...father, dob: '1988-09-30' })).vetoes).toEqual(['household-generation']);
  });

  it("SSNs that disagree outright: 'ssn-disagrees' (even outside a household)", () => {
    const a = person({ given: 'John', family: 'Kowalczyk', dob: '1980-03-04', ssn: '212-45-6780', ...HOME });
    const b = person({ given: 'John', family: 'Kowalczyk', dob: '1980-03-04', ssn: '534-81-2297', ...ELSEWHERE });
    expect(compareLabels(a, b).ssn).toBe('else');
    const s = scorePair(cm, a, b);
    expect(s.household).toBe(false);
    expect(s.vetoes).toEqual(['ssn-disagrees']);
  });

  it("a name keyed in the other field at one home is another member of it (YOO-JIN KIM / KIM LINDSEY): 'household-given-name'", () => {
    const sister = person({ given: 'Yoo-Jin', family: 'Kim', dob: '1994-02-11', sex: 'F', ...HOME });
    const swapped = person({ given: 'Kim', family: 'Lindsey', dob: '1993-04-02', sex: 'F', ...HOME });
    expect(compareLabels(sister, swapped).family_name).toBe('partial-swap');
    const s = scorePair(cm, sister, swapped);
    expect(s.household).toBe(true);
    expect(s.vetoes).toContain('household-given-name');
    // Away from home the swap is only weak evidence, and no veto; fully reversed names are the same person.
    expect(scorePair(cm, sister, person({ given: 'Kim', family: 'Lindsey', dob: '1993-04-02', sex: 'F', ...ELSEWHERE })).vetoes).toEqual([]);
    const reversed = scorePair(cm, sister, person({ given: 'Kim', family: 'Yoo-Jin', dob: '1994-02-11', sex: 'F', ...HOME }));
    expect(compareLabels(sister, person({ given: 'Kim', family: 'Yoo-Jin' })).family_name).toBe('reversed');
    expect(reversed.vetoes).toEqual([]);
  });

  it("twins living apart with SSNs one digit apart (issued together) and one name mistyped: 'possible-twin'", () => {
    const justin = person({ given: 'Jistin', family: 'Davis', dob: '1988-07-19', sex: 'M', ssn: '412-55-8801', ...HOME });
    const jonathan = person({ given: 'Jonathan', family: 'Davis', dob: '1988-07-19', sex: 'M', ssn: '412-55-8802', ...ELSEWHERE });
    expect(compareLabels(justin, jonathan).ssn).toBe('one-digit-or-transposition');
    expect(scorePair(cm, justin, jonathan, undefined, known).vetoes).toEqual(['possible-twin']);
    // The same person with an SSN typo: the same given name is no twin's signature.
    expect(scorePair(cm, jonathan, person({ given: 'Jonathan', family: 'Davis', dob: '1988-07-19', sex: 'M', ssn: '412-55-8807' }), undefined, known).vetoes).toEqual([]);
  });

  it("neither name agreeing is no automatic link, whatever else agrees: 'names-differ' (unless the SSNs agree)", () => {
    const a = person({ given: 'Ahmed', middle: 'Mahmoud', family: 'Saleh', dob: '1979-05-02', sex: 'M', ...HOME });
    const b = person({ given: 'Aisha', middle: 'Mahmoud', family: 'Haddad', dob: '1979-05-21', sex: 'F', ...HOME });
    const labels = compareLabels(a, b);
    expect([labels.given_name, labels.family_name]).toEqual(['else', 'else']);
    expect(scorePair(cm, a, b).vetoes).toContain('names-differ');
    const ssn = { ssn: '219-09-4512' };
    expect(scorePair(cm, person({ given: 'Ahmed', family: 'Saleh', dob: '1979-05-02', ...ssn, ...HOME }), person({ given: 'Kareem', family: 'Haddad', dob: '1979-05-02', ...ssn, ...HOME })).vetoes).not.toContain('names-differ');
    // One name agreeing (a married name) is no such veto.
    expect(scorePair(cm, a, person({ given: 'Ahmed', family: 'Haddad', dob: '1979-05-02', sex: 'M', ...HOME })).vetoes).not.toContain('names-differ');
  });

  it('an SSN typo (one digit) is no veto', () => {
    const a = person({ given: 'John', family: 'Kowalczyk', dob: '1980-03-04', ssn: '212-45-6780' });
    const b = person({ given: 'John', family: 'Kowalczyk', dob: '1980-03-04', ssn: '212-45-6781' });
    expect(scorePair(cm, a, b).vetoes).not.toContain('ssn-disagrees');
  });

  it("generational suffixes that differ (JR / SR): 'suffix-differs'", () => {
    const jr = person({ given: 'John', family: 'Kowalczyk', suffix: 'Jr', dob: '1980-03-04', ...ELSEWHERE });
    const sr = person({ given: 'John', family: 'Kowalczyk', suffix: 'Sr', dob: '1980-03-04', ...ELSEWHERE });
    expect(scorePair(cm, jr, sr).vetoes).toEqual(['suffix-differs']);
    // The same suffix, or one side without any, is no veto.
    expect(scorePair(cm, jr, person({ given: 'John', family: 'Kowalczyk', suffix: 'JR', dob: '1980-03-04', ...ELSEWHERE })).vetoes).toEqual([]);
    expect(scorePair(cm, jr, person({ given: 'John', family: 'Kowalczyk', dob: '1980-03-04', ...ELSEWHERE })).vetoes).toEqual([]);
  });

  it('a clean match in one home, nickname given name (BILL / WILLIAM): no veto', () => {
    const a = person({ given: 'Bill', family: 'Kowalczyk', dob: '1975-11-23', sex: 'M', ...HOME });
    const b = person({ given: 'William', family: 'Kowalczyk', dob: '1975-11-23', sex: 'M', ...HOME });
    expect(compareLabels(a, b).given_name).toBe('nickname');
    const s = scorePair(cm, a, b);
    expect(s.household).toBe(true);
    expect(s.vetoes).toEqual([]);
  });
});

describe('scorePair: a keystroke slip is not a twin', () => {
  const twinSignature = (given: string, lab = false) =>
    person({ given, family: 'Kowalczyk', dob: '2015-06-01', sex: 'F', ...(lab ? {} : HOME) });

  it('the shipped vocabulary knows common names of every cohort, and not their slips', () => {
    for (const n of ['JENNIFER', 'KAYLA', 'KYLA', 'JAYDEN', 'JAYLEN', 'LILY', 'LILA', 'ROBERT', 'BILL']) expect(known.has(n), n).toBe(true);
    for (const n of ['JENNIFRE', 'JENNFIER', 'ROERT', 'KAYLQ']) expect(known.has(n), n).toBe(false);
    // A short form only the genealogy nickname table has (ELIAS → LIAS) is where a slip of LISA lands, not a name.
    expect(known.has('LIAS')).toBe(false);
    expect(keystrokeSlip(twinSignature('Lisa'), twinSignature('Lias'), known)).toBe(true);
  });

  it.each([
    ['Jennifer', 'Jennifre', 'transposition'],
    ['Jennifer', 'Jennier', 'a letter dropped'],
    ['Kayla', 'Kaylq', 'keyboard-adjacent substitution'],
    ['Robert', 'Roert', 'a letter dropped'],
  ])('%s / %s (%s), same home and birth date: no veto with the vocabulary, a veto without', (x, y) => {
    const a = twinSignature(x);
    const b = twinSignature(y);
    // JENIFER is itself a known spelling: the pair is two known names, which stays a veto.
    const bothKnown = known.has(a.given) && known.has(b.given);
    expect(scorePair(cm, a, b).vetoes).toContain('household-given-name');
    expect(keystrokeSlip(a, b, known)).toBe(!bothKnown);
    expect(scorePair(cm, a, b, undefined, known).vetoes.includes('household-given-name')).toBe(bothKnown);
    // The lab's view (no address, no phone): 'possible-twin' is lifted the same way.
    expect(scorePair(cm, a, twinSignature(y, true), undefined, known).vetoes.includes('possible-twin')).toBe(bothKnown);
  });

  it.each([
    ['Kayla', 'Kyla'],
    ['Lily', 'Lila'],
    ['Jayden', 'Jaylen'],
    ['Christian', 'Christina'],
  ])('twins %s / %s (two known names one edit apart) keep the veto', (x, y) => {
    const s = scorePair(cm, twinSignature(x), twinSignature(y), undefined, known);
    expect(s.vetoes).toContain('household-given-name');
    expect(firmVetoes(s, twinSignature(x), twinSignature(y), known)).toContain('household-given-name');
  });

  it('a 1 January placeholder hides a twin\'s birth date: ANTONIO 2012-01-01 / ANTONIA 2012-09-03 at one home, SSNs one digit apart', () => {
    const antonio = person({ given: 'Antonio', family: 'Cruz Ramirez', dob: '2012-01-01', sex: 'M', ssn: '531-84-2276', ...HOME });
    const antonia = person({ given: 'Antonia', family: 'Cruz Ramirez', dob: '2012-09-03', sex: 'F', ssn: '531-84-2277', ...HOME });
    expect(compareLabels(antonio, antonia).dob).toBe('partial-agree');
    const s = scorePair(cm, antonio, antonia, undefined, known);
    expect(s.probability).toBeGreaterThan(model.thresholds.upper); // the score alone would merge the twins
    expect(s.vetoes).toContain('household-given-name');
    // Seen from a lab (no address or phone): the twin's signature all the same.
    const lab = person({ given: 'Antonia', family: 'Cruz Ramirez', dob: '2012-09-03', sex: 'F' });
    expect(scorePair(cm, antonio, lab, undefined, known).vetoes).toContain('possible-twin');
  });

  it.each([
    ['Catherine', 'Katherine'],
    ['Natalia', 'Natalya'],
    ['Josefina', 'Josephina'],
    ['Lynda', 'Linda'],
    ['Maksim', 'Maxim'],
    ['Sophia', 'Sofia'],
    ['Sophia', 'Sofiya'],
  ])('%s / %s: two spellings of one spoken name lift the veto, unless both are known names with one birth date', (x, y) => {
    const a = twinSignature(x);
    const b = twinSignature(y);
    expect(spokenAlike(a, b)).toBe(true);
    const bothKnown = known.has(a.given) && known.has(b.given);
    // A feed may give twins SOPHIA and SOFIA: with one birth date only an agreeing SSN tells them from one person.
    expect(scorePair(cm, a, b, undefined, known).vetoes).toEqual(bothKnown ? ['household-given-name'] : []);
    expect(scorePair(cm, a, twinSignature(y, true), undefined, known).vetoes).toEqual(bothKnown ? ['possible-twin'] : []);
    const withSsn = (p: Person) => ({ ...p, ssn: '531842276' });
    expect(scorePair(cm, withSsn(a), withSsn(b), undefined, known).vetoes).toEqual([]);
    // Without a vocabulary nothing says both are real names: the spelling is taken for a variant.
    expect(scorePair(cm, a, b).vetoes).toEqual([]);
    expect(scorePair(cm, a, twinSignature(y, true)).vetoes).toEqual([]);
  });

  it.each([
    ['Jason', 'Jasen'],
    ['Madison', 'Madisen'],
    ['Jennifer', 'Jenifer'],
    ['Nathan', 'Natan'],
  ])('%s / %s: a known spelling fifty times rarer than the name one slip away is its slip, not a twin', (x, y) => {
    expect(known.has(x.toUpperCase()) && known.has(y.toUpperCase())).toBe(true);
    expect(keystrokeSlip(twinSignature(x), twinSignature(y), known)).toBe(true);
    expect(scorePair(cm, twinSignature(x), twinSignature(y), undefined, known).vetoes).toEqual([]);
    expect(scorePair(cm, twinSignature(x), twinSignature(y, true), undefined, known).vetoes).toEqual([]);
    // A vocabulary without counts knows both as names, and keeps the veto.
    const plain = new Set(known);
    expect(scorePair(cm, twinSignature(x), twinSignature(y), undefined, plain).vetoes).toEqual(['household-given-name']);
  });

  it('NANCY / NANCIE: a known spelling fifty times rarer than a name it sounds like is that name, however many letters apart', () => {
    for (const n of ['NANCY', 'NANCIE', 'KAYLA', 'KYLA']) expect(known.has(n), n).toBe(true);
    expect(keystrokeSlip(twinSignature('Nancy'), twinSignature('Nancie'), known)).toBe(false);
    expect(rareSpelling('NANCY', 'NANCIE', known)).toBe(true);
    expect(rareSpelling('NANCIE', 'NANCY', known)).toBe(true);
    expect(scorePair(cm, twinSignature('Nancy'), twinSignature('Nancie'), undefined, known).vetoes).toEqual([]);
    expect(scorePair(cm, twinSignature('Nancy'), twinSignature('Nancie', true), undefined, known).vetoes).toEqual([]);
    // Twins' names that alike are of one order (KAYLA / KYLA, 9 times): the veto stays.
    expect(rareSpelling('KAYLA', 'KYLA', known)).toBe(false);
    expect(scorePair(cm, twinSignature('Kayla'), twinSignature('Kyla'), undefined, known).vetoes).toEqual(['household-given-name']);
    // A vocabulary without counts keeps it, and so does a boy beside a girl (JUN / JUAN, 270 times).
    expect(scorePair(cm, twinSignature('Nancy'), twinSignature('Nancie'), undefined, new Set(known)).vetoes).toEqual(['household-given-name']);
    expect(rareSpelling('JUAN', 'JUN', known)).toBe(true);
    const jun = person({ given: 'Jun', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    const juan = person({ given: 'Juan', family: 'Kowalczyk', dob: '2015-06-01', sex: 'F', ...HOME });
    expect(scorePair(cm, jun, juan, undefined, known).vetoes).toContain('household-given-name');
  });

  it('ELLA / ELLIE: two short forms of one name, both names people are registered under, with one birth date are left to a steward', () => {
    const all = loadNicknames();
    const twin = (given: string, extra: Partial<Spec> = {}, lab = false) =>
      normalizePerson({ names: [{ given, family: 'Kowalczyk' }], birthDate: '2015-06-01', sex: 'F', ssn: extra.ssn ?? null, addresses: lab ? [] : [{ street: HOME.street, city: HOME.city, state: HOME.state, zip: HOME.zip }], phones: lab ? [] : [{ number: HOME.phone }] }, all);
    expect(compareLabels(twin('Ella'), twin('Ellie')).given_name).toBe('nickname');
    expect(scorePair(cm, twin('Ella'), twin('Ellie'), undefined, known).vetoes).toEqual(['household-given-name']);
    expect(scorePair(cm, twin('Ella'), twin('Ellie', {}, true), undefined, known).vetoes).toEqual(['possible-twin']);
    // An SSN both carry and agree on says one person.
    expect(scorePair(cm, twin('Ella', { ssn: '531842276' }), twin('Ellie', { ssn: '531842276' }), undefined, known).vetoes).toEqual([]);
    // Two spellings of one name are not two short forms: MOHAMED / MOHAMMED, MOHAMAD / MOHAMMED (one ending),
    // JENNY / JENNI, LIZ / LIZA (one edit); nor is a name and its own form (MARY / MARIE, listed as each other's).
    for (const [x, y] of [['Mohamed', 'Mohammed'], ['Mohamad', 'Mohammed'], ['Jenny', 'Jenni'], ['Liz', 'Liza'], ['Mary', 'Marie'], ['Robert', 'Bob']]) {
      expect(compareLabels(twin(x!), twin(y!)).given_name, `${x} / ${y}`).toBe('nickname');
      expect(scorePair(cm, twin(x!), twin(y!), undefined, known).vetoes, `${x} / ${y}`).toEqual([]);
    }
    // Without a vocabulary nothing says both are names of their own.
    expect(scorePair(cm, twin('Ella'), twin('Ellie')).vetoes).toEqual([]);
  });

  it('ADAM / ADAMA: a letter added at the end of a boy\'s name is his twin sister\'s, wherever they live; a slip inside a name is one, sex keyed wrong or not', () => {
    expect(known.has('ADAM')).toBe(true);
    expect(known.has('ADAMA')).toBe(false);
    const adam = person({ given: 'Adam', family: 'Ali', dob: '2007-12-10', sex: 'M', ...HOME });
    const adama = person({ given: 'Adama', family: 'Ali', dob: '2007-12-10', sex: 'F', ...ELSEWHERE });
    // One letter apart and ADAMA unknown: for a brother and a sister that is no slip, and two addresses do not
    // make them one person.
    expect(keystrokeSlip(adam, adama, known, false)).toBe(true);
    expect(scorePair(cm, adam, adama, undefined, known).vetoes).toEqual(['possible-twin']);
    // The same sex: a letter added is a slip again (no veto).
    const adamaMale = person({ given: 'Adama', family: 'Ali', dob: '2007-12-10', sex: 'M', ...ELSEWHERE });
    expect(scorePair(cm, adam, adamaMale, undefined, known).vetoes).toEqual([]);
    // MATTOE for MATTIE with the sex keyed wrong as well: a slip inside the name stays a slip at one home.
    const mattie = person({ given: 'Mattie', family: 'Williams', dob: '1941-07-15', sex: 'F', ...HOME });
    const mattoe = person({ given: 'Mattoe', family: 'Williams', dob: '1941-07-15', sex: 'M', ...HOME });
    expect(scorePair(cm, mattie, mattoe, undefined, known).vetoes).toEqual([]);
  });

  it('SANDY / ALEXANDRA: a nickname a boy and his twin sister share does not say which of the two a record is', () => {
    const sandy = person({ given: 'Sandy', family: 'Martin', dob: '1988-11-03', sex: 'M', ...HOME });
    const alexandra = person({ given: 'Alexandra', family: 'Martin', dob: '1988-11-03', sex: 'F', ...HOME });
    expect(compareLabels(sandy, alexandra).given_name).toBe('nickname');
    expect(scorePair(cm, sandy, alexandra, undefined, known).vetoes).toContain('household-given-name');
    // The sexes agreeing, it is her nickname: no veto.
    const sandyF = person({ given: 'Sandy', family: 'Martin', dob: '1988-11-03', sex: 'F', ...HOME });
    expect(scorePair(cm, sandyF, alexandra, undefined, known).vetoes).toEqual([]);
    // Another birth date: no twins to tell apart, the nickname is weighed as before.
    const sandyOther = person({ given: 'Sandy', family: 'Martin', dob: '1958-11-03', sex: 'M', ...ELSEWHERE });
    expect(scorePair(cm, sandyOther, alexandra, undefined, known).vetoes).not.toContain('household-given-name');
    expect(scorePair(cm, sandyOther, alexandra, undefined, known).vetoes).not.toContain('possible-twin');
  });

  it('names of one order (MARIA / MARTA, 32 times) keep the veto, and so do a boy and a girl however rare the one name (DANIEL / DANIELA)', () => {
    expect(scorePair(cm, twinSignature('Maria'), twinSignature('Marta'), undefined, known).vetoes).toEqual(['household-given-name']);
    const daniel = person({ given: 'Daniel', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    const daniela = person({ given: 'Daniela', family: 'Kowalczyk', dob: '2015-06-01', sex: 'F', ...HOME });
    expect(keystrokeSlip(daniel, daniela, known, false)).toBe(false);
    expect(scorePair(cm, daniel, daniela, undefined, known).vetoes).toContain('household-given-name');
  });

  it.each([
    ['Julie', 'Jul'],
    ['Manuel', 'Man'],
    ['Sarah', 'Sar'],
  ])('%s / %s: a known name cut to a form no one is named is one person', (x, y) => {
    expect(known.has(y.toUpperCase())).toBe(false);
    expect(cutShort(twinSignature(x), twinSignature(y), known)).toBe(true);
    expect(scorePair(cm, twinSignature(x), twinSignature(y), undefined, known).vetoes).toEqual([]);
    // Without a vocabulary a short prefix may be a name of its own.
    expect(cutShort(twinSignature(x), twinSignature(y))).toBe(false);
  });

  it('a prefix that is a name of its own (EVA / EVAN, ZOE / ZOEY), or of two letters (JO / JOHN), is no cut', () => {
    for (const [x, y] of [['Eva', 'Evan'], ['Zoe', 'Zoey'], ['Jo', 'John']] as const) {
      expect(cutShort(twinSignature(x), twinSignature(y), known), `${x} / ${y}`).toBe(false);
      expect(scorePair(cm, twinSignature(x), twinSignature(y), undefined, known).vetoes, `${x} / ${y}`).toEqual(['household-given-name']);
    }
  });

  it('SOPHIA / SOFIA born a year apart in one home are not twins: spoken alike, no veto', () => {
    const a = person({ given: 'Sophia', family: 'Lopez', dob: '2019-07-26', sex: 'F', ...HOME });
    const b = person({ given: 'Sofia', family: 'Lopez', dob: '2020-07-26', sex: 'F', ...HOME });
    expect(scorePair(cm, a, b, undefined, known).vetoes).toEqual([]);
  });

  it('a name cut to a field of ten letters (CHRISTOPHE / CHRISTOPHER) is one person; JOSEPH / JOSEPHINE and FREDERICK / FREDERICKA are two', () => {
    expect(cutShort(twinSignature('Christophe'), twinSignature('Christopher'))).toBe(true);
    expect(scorePair(cm, twinSignature('Christopher'), twinSignature('Christophe', true), undefined, known).vetoes).toEqual([]);
    expect(cutShort(twinSignature('Joseph'), twinSignature('Josephine'))).toBe(false);
    const boy = person({ given: 'Frederick', family: 'Kowalczyk', dob: '2015-06-01', sex: 'M', ...HOME });
    const girl = person({ given: 'Fredericka', family: 'Kowalczyk', dob: '2015-06-01', sex: 'F', ...HOME });
    expect(cutShort(boy, girl)).toBe(true);
    expect(scorePair(cm, boy, girl, undefined, known).vetoes).toContain('household-given-name');
  });

  it('twins MINH / MANH TRAN: a vowel for a vowel in a short name is no slip, and SSNs one digit apart are no second typo', () => {
    const minh = person({ given: 'Minh', family: 'Tran', dob: '1979-09-09', sex: 'M', ssn: '412-55-8130' });
    const manh = person({ given: 'Manh', family: 'Tran', dob: '1979-09-09', sex: 'M', ssn: '412-55-8131' });
    expect(keystrokeSlip(minh, manh, known)).toBe(false);
    expect(scorePair(cm, minh, manh, undefined, known).vetoes).toContain('possible-twin');
    // A lab sends neither SSN nor address: still the twin's signature.
    const lab = person({ given: 'Minh', family: 'Tran', dob: '1979-09-09', sex: 'M' });
    expect(scorePair(cm, lab, person({ given: 'Manh', family: 'Tran', dob: '1979-09-09', sex: 'M' }), undefined, known).vetoes).toContain('possible-twin');
    // JOHN / JOHM (N and M side by side) is a slip; with SSNs one digit apart it is a second difference.
    const john = person({ given: 'John', family: 'Tran', dob: '1979-09-09', sex: 'M', ssn: '412-55-8130' });
    const johm = person({ given: 'Johm', family: 'Tran', dob: '1979-09-09', sex: 'M' });
    expect(keystrokeSlip(john, johm, known)).toBe(true);
    expect(scorePair(cm, john, johm, undefined, known).vetoes).toEqual([]);
    expect(scorePair(cm, john, { ...johm, ssn: '412558131' }, undefined, known).vetoes).toContain('possible-twin');
  });

  it('spokenAlike on normalised persons says what sameSpokenName says of their given names', () => {
    const names = ['Noa', 'Noah', 'Jo', 'Joh', 'Catherine', 'Katherine', 'Kathryn', 'Phillip', 'Filip', 'Maxim', 'Maksim', 'Kayla', 'Kyla', 'Lea', 'Leah', 'Mia', 'Mya'];
    for (const x of names) {
      for (const y of names) {
        const a = twinSignature(x);
        const b = twinSignature(y);
        expect(spokenAlike(a, b), `${x} / ${y}`).toBe(sameSpokenName(a.given, b.given));
      }
    }
  });

  it('names that sound different keep the veto though a letter or two differ (KAYLA / KYLA, AIDEN / AIDAN, TAMIKA / TAMEKA)', () => {
    for (const [x, y] of [
      ['Kayla', 'Kyla'],
      ['Aiden', 'Aidan'],
      ['Tamika', 'Tameka'],
      ['Isabel', 'Isabella'],
    ] as const) {
      expect(spokenAlike(twinSignature(x), twinSignature(y)), `${x} / ${y}`).toBe(false);
      expect(scorePair(cm, twinSignature(x), twinSignature(y), undefined, known).vetoes, `${x} / ${y}`).toContain('household-given-name');
    }
  });

  it('two names the vocabulary does not know keep the veto; so do names two edits apart', () => {
    expect(scorePair(cm, twinSignature('Xqvian'), twinSignature('Xqvien'), undefined, known).vetoes).toContain('household-given-name');
    expect(scorePair(cm, twinSignature('Jennifer'), twinSignature('Jenfier'), undefined, known).vetoes).toContain('household-given-name');
    // One key apart (J: U / I adjacent): twins' names the vocabulary lacks.
    expect(scorePair(cm, twinSignature('Minji'), twinSignature('Minju'), undefined, known).vetoes).toContain('household-given-name');
    expect(scorePair(cm, twinSignature('Minji'), twinSignature('Minju', true), undefined, known).vetoes).toContain('possible-twin');
  });

  it('two names the vocabulary does not know, seven letters or more: a letter added, dropped or swapped is a slip, a letter for another is not', () => {
    for (const n of ['TEMITOPE', 'TEMIUTOPE', 'CHIDINMA', 'CHIDIMMA', 'OLUWASEUN', 'OLUWASUEN']) expect(known.has(n), n).toBe(false);
    expect(keystrokeSlip(twinSignature('Temitope'), twinSignature('Temiutope'), known)).toBe(true);
    expect(keystrokeSlip(twinSignature('Oluwaseun'), twinSignature('Oluwasuen'), known)).toBe(true);
    expect(scorePair(cm, twinSignature('Temitope'), twinSignature('Temiutope'), undefined, known).vetoes).toEqual([]);
    expect(keystrokeSlip(twinSignature('Chidinma'), twinSignature('Chidimma'), known)).toBe(false);
    expect(scorePair(cm, twinSignature('Chidinma'), twinSignature('Chidimma'), undefined, known).vetoes).toContain('household-given-name');
  });

  it('two names the vocabulary does not know, five letters or more: two neighbouring letters swapped is a slip; four letters, or an added letter, is not', () => {
    for (const n of ['RAJESH', 'RAJSEH', 'EUNJI', 'EUNIJ', 'EUNJIN', 'NGOC', 'NGCO']) expect(known.has(n), n).toBe(false);
    expect(SWAP_SLIP_MIN).toBe(5);
    expect(keystrokeSlip(twinSignature('Rajesh'), twinSignature('Rajseh'), known)).toBe(true);
    expect(keystrokeSlip(twinSignature('Eunji'), twinSignature('Eunij'), known)).toBe(true);
    expect(scorePair(cm, twinSignature('Eunji'), twinSignature('Eunij'), undefined, known).vetoes).toEqual([]);
    expect(keystrokeSlip(twinSignature('Ngoc'), twinSignature('Ngco'), known)).toBe(false);
    // EUNJI and EUNJIN are two Korean names.
    expect(keystrokeSlip(twinSignature('Eunji'), twinSignature('Eunjin'), known)).toBe(false);
    expect(scorePair(cm, twinSignature('Eunji'), twinSignature('Eunjin'), undefined, known).vetoes).toContain('household-given-name');
  });

  it('HARISH and YINUO are names the vocabulary does not know: their misreadings are slips all the same', () => {
    for (const n of ['HARISH', 'HARLSH', 'YINUO', 'YINVO']) expect(known.has(n), n).toBe(false);
    expect(known.has('STANISLAW')).toBe(true); // a known name: VV / W is two edits, yet one misreading
  });

  it.each([
    ['Ravi', 'Raui'],
    ['Yinuo', 'Yinvo'],
    ['Harish', 'Harlsh'],
    ['Stanislaw', 'Stanislavv'],
  ])('%s / %s: one OCR misreading apart, and the misread form unknown: a slip, no veto', (x, y) => {
    const a = twinSignature(x);
    const b = twinSignature(y);
    expect(known.has(b.given)).toBe(false);
    expect(keystrokeSlip(a, b, known)).toBe(true);
    expect(scorePair(cm, a, b, undefined, known).vetoes).toEqual([]);
    expect(scorePair(cm, a, twinSignature(y, true), undefined, known).vetoes).toEqual([]);
    // Without a vocabulary no slip is recognised at all.
    expect(scorePair(cm, a, b).vetoes).toContain('household-given-name');
  });

  it('firmVetoes: a given-name veto against an unknown form (a slip, a rare nickname) is not firm; SSN, suffix and generation always are', () => {
    const willam = twinSignature('Wlliam');
    const billy = twinSignature('Billy');
    const s = scorePair(cm, willam, billy, undefined, known);
    expect(s.vetoes).toContain('household-given-name');
    expect(firmVetoes(s, willam, billy, known)).toEqual([]);
    expect(firmVetoes(s, willam, billy, undefined)).toEqual(s.vetoes);
    const a = person({ given: 'Wlliam', family: 'Kowalczyk', dob: '1980-03-04', ssn: '212-45-6780', ...HOME });
    const b = person({ given: 'Billy', family: 'Kowalczyk', dob: '1980-03-04', ssn: '534-81-2297', ...HOME });
    const t = scorePair(cm, a, b, undefined, known);
    expect(firmVetoes(t, a, b, known)).toEqual(['ssn-disagrees']);
  });
});

describe('scorePair: twins who live apart', () => {
  it('JAYDEN / JAYLEN at two addresses: two known names, same family and birth date, is still a twin', () => {
    const a = person({ given: 'Jayden', family: 'Wood', dob: '1953-11-05', sex: 'M', ...HOME });
    const b = person({ given: 'Jaylen', family: 'Wood', dob: '1953-11-05', sex: 'M', ...ELSEWHERE });
    const s = scorePair(cm, a, b, undefined, known);
    expect(s.household).toBe(false);
    expect(s.probability).toBeGreaterThan(0.995); // the names and the date outweigh the addresses
    expect(s.vetoes).toEqual(['possible-twin']);
    expect(firmVetoes(s, a, b, known)).toEqual(['possible-twin']);
    // A slip at another address is the same person, and without a vocabulary no name is known to be real.
    expect(scorePair(cm, a, person({ given: 'Jaydne', family: 'Wood', dob: '1953-11-05', sex: 'M', ...ELSEWHERE }), undefined, known).vetoes).toEqual([]);
    expect(scorePair(cm, a, b).vetoes).toEqual([]);
  });

  it('a shared middle name does not make two clearly different first names one person (SHIRLEY ANN / SCOTT ANN)', () => {
    const a = person({ given: 'Shirley', middle: 'Ann', family: 'Sanchez', dob: '1980-10-25', sex: 'F', ...HOME });
    const b = person({ given: 'Scott', middle: 'Ann', family: 'Sanchez', dob: '1980-10-25', sex: 'M', ...ELSEWHERE, zip: '62701' });
    expect(compareLabels(a, b).middle_name).toBe('exact');
    expect(scorePair(cm, a, b, undefined, known).vetoes).toEqual(['possible-twin']);
  });

  it('twins in one home sharing a middle name, similar known first names (AIDEN LEE / JADEN LEE): household veto', () => {
    const a = person({ given: 'Aiden', middle: 'Lee', family: 'Jordan', dob: '1981-04-16', sex: 'M', ...HOME });
    const b = person({ given: 'Jaden', middle: 'Lee', family: 'Jordan', dob: '1981-04-16', sex: 'M', ...HOME });
    expect(compareLabels(a, b).given_name).not.toBe('else');
    expect(scorePair(cm, a, b, undefined, known).vetoes).toEqual(['household-given-name']);
  });

  it('an agreeing middle name still explains a similar first name the vocabulary cannot tell apart (KATHERINE / KATHARYNE ROSE)', () => {
    const a = person({ given: 'Katherine', middle: 'Rose', family: 'Kowalczyk', dob: '1961-02-14', sex: 'F', ...HOME });
    const b = person({ given: 'Katharyne', middle: 'Rose', family: 'Kowalczyk', dob: '1961-02-14', sex: 'F' });
    expect(known.has(a.given)).toBe(true);
    expect(known.has(b.given)).toBe(false);
    expect(keystrokeSlip(a, b, known)).toBe(false); // two letters apart: not a slip
    expect(scorePair(cm, a, b, undefined, known).vetoes).toEqual([]);
    // Without the middle name it is the twin's signature, from a lab: held apart.
    expect(scorePair(cm, a, person({ given: 'Katharyne', family: 'Kowalczyk', dob: '1961-02-14', sex: 'F' }), undefined, known).vetoes).toEqual(['possible-twin']);
  });
});

describe('scorePair: term frequencies', () => {
  const pair = (family: string) =>
    [
      person({ given: 'John', family, dob: '1980-03-04', sex: 'M', ...ELSEWHERE }),
      person({ given: 'John', family, dob: '1980-03-04', sex: 'M', zip: '10001', city: 'New York', state: 'NY' }),
    ] as const;

  it('a common family name weighs less than a rare one', () => {
    const population = 500_000;
    const counts: Record<string, number> = { SMITH: 5_000, KOWALCZYK: 3 };
    const tf: TermCounts = (c, v) => (c === 'family_name' && counts[v] !== undefined ? { count: counts[v]!, population } : undefined);
    const [s1, s2] = pair('Smith');
    const [k1, k2] = pair('Kowalczyk');
    const smith = scorePair(cm, s1, s2, tf);
    const kowalczyk = scorePair(cm, k1, k2, tf);
    expect(smith.household).toBe(false);
    const fs = contribution(smith.explanation.contributions, 'family_name')!;
    const fk = contribution(kowalczyk.explanation.contributions, 'family_name')!;
    expect(fs.level).toBe('exact');
    expect(fk.level).toBe('exact');
    expect(fs.weight).toBe(fk.weight);
    expect(fs.tfAdjustment).toBeLessThan(0);
    expect(fk.tfAdjustment).toBeGreaterThan(0);
    expect(smith.weight).toBeLessThan(kowalczyk.weight);

    // The adjustment is tfWeight · log2(u / smoothed frequency).
    const { u, tfWeight } = modelLevel('family_name', 'exact');
    const expectedSmith = tfWeight * Math.log2(u / Math.max(smoothedFrequency(5_000, population, u), model.minTermFrequency));
    expect(fs.tfAdjustment).toBeCloseTo(expectedSmith, 9);
    // Without counts there is no adjustment and both pairs score the same.
    expect(scorePair(cm, s1, s2).weight).toBeCloseTo(scorePair(cm, k1, k2).weight, 9);
  });

  it('the given name is adjusted too, at its tfWeight', () => {
    const population = 500_000;
    const tf: TermCounts = (c, v) => (c === 'given_name' && v === 'JOHN' ? { count: 20_000, population } : undefined);
    const [a, b] = pair('Kowalczyk');
    const s = scorePair(cm, a, b, tf);
    const g = contribution(s.explanation.contributions, 'given_name')!;
    const { u, tfWeight } = modelLevel('given_name', 'exact');
    expect(g.tfAdjustment).toBeCloseTo(tfWeight * Math.log2(u / smoothedFrequency(20_000, population, u)), 9);
    expect(g.tfAdjustment).toBeLessThan(0);
    expect(contribution(s.explanation.contributions, 'family_name')!.tfAdjustment).toBe(0);
  });

  it('when the two values differ, the more common frequency is used', () => {
    // MARYANN / MARY ANN agree exactly (joined); the frequencies are asked per record's primary given name.
    const population = 1_000_000;
    const counts: Record<string, number> = { MARY: 30_000, MARYANN: 10 };
    const tf: TermCounts = (c, v) => (c === 'given_name' && counts[v] !== undefined ? { count: counts[v]!, population } : undefined);
    const a = person({ given: 'Mary Ann', family: 'Kowalczyk', dob: '1980-03-04' });
    const b = person({ given: 'Maryann', family: 'Kowalczyk', dob: '1980-03-04' });
    expect(compareLabels(a, b).given_name).toBe('exact');
    const s = scorePair(cm, a, b, tf);
    const { u, tfWeight } = modelLevel('given_name', 'exact');
    const common = smoothedFrequency(30_000, population, u);
    expect(contribution(s.explanation.contributions, 'given_name')!.tfAdjustment).toBeCloseTo(tfWeight * Math.log2(u / common), 9);
  });
});

describe('smoothedFrequency', () => {
  const u = 0.002;

  it('is (c + k·u) / (N + k)', () => {
    expect(smoothedFrequency(7, 300, u)).toBeCloseTo((7 + TF_PSEUDO_RECORDS * u) / (300 + TF_PSEUDO_RECORDS), 15);
    expect(smoothedFrequency(7, 300, u, 100)).toBeCloseTo((7 + 100 * u) / 400, 15);
  });

  it('tends to u for a small population and to count/population for a large one', () => {
    const ratio = 0.05; // one record in twenty holds the value
    // A young index: 20 records, one with the value: close to u, far from 1/20.
    const young = smoothedFrequency(1, 20, u);
    expect(Math.abs(young - u) / u).toBeLessThan(0.05);
    // A large index: 10^8 records, 5·10^6 with the value: close to the observed ratio.
    const large = smoothedFrequency(5_000_000, 100_000_000, u);
    expect(Math.abs(large - ratio) / ratio).toBeLessThan(0.001);

    // Monotone in between: the larger the population (same ratio), the closer to the ratio and the farther from u.
    const populations = [20, 200, 2_000, 20_000, 200_000, 2_000_000];
    const values = populations.map((n) => smoothedFrequency(n * ratio, n, u));
    for (let i = 1; i < values.length; i++) {
      expect(Math.abs(values[i]! - ratio)).toBeLessThan(Math.abs(values[i - 1]! - ratio));
      expect(Math.abs(values[i]! - u)).toBeGreaterThan(Math.abs(values[i - 1]! - u));
    }
    // Empty index: exactly u.
    expect(smoothedFrequency(0, 0, u)).toBeCloseTo(u, 15);
  });
});
