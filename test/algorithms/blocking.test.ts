import { describe, expect, it } from 'vitest';
import { blockingKeys, candidatePairs, pairCompleteness, reductionRatio, type BlockingRule } from '../../algorithms/blocking.js';

interface P {
  family?: string;
  given?: string;
  dob?: string;
}
const rules: BlockingRule<P>[] = [
  { name: 'fam-year', keys: (p) => (p.family && p.dob ? [`${p.family}|${p.dob.slice(0, 4)}`] : []) },
  { name: 'given-dob', keys: (p) => (p.given && p.dob ? [`${p.given}|${p.dob}`] : []) },
];

describe('blocking', () => {
  const people: P[] = [
    { family: 'SMITH', given: 'ANN', dob: '19800101' }, // 0
    { family: 'SMYTH', given: 'ANN', dob: '19800101' }, // 1: family typo, caught by given+dob
    { family: 'SMITH', given: 'BOB', dob: '19801231' }, // 2: same family and year as 0
    { family: 'JONES', given: 'CAT', dob: '19700505' }, // 3: alone
    { given: 'ANN' }, // 4: no dob: no key at all
  ];

  it('prefixes keys by rule and skips rules whose fields are missing', () => {
    expect(blockingKeys(rules, people[0]!)).toEqual(['fam-year:SMITH|1980', 'given-dob:ANN|19800101']);
    expect(blockingKeys(rules, people[4]!)).toEqual([]);
  });

  it('takes the union of the rules, each pair once', () => {
    const { pairs, skipped } = candidatePairs(people, rules);
    expect(pairs.map((p) => p.join('-')).sort()).toEqual(['0-1', '0-2']);
    expect(skipped).toEqual([]);
  });

  it('skips blocks over the cap and reports them', () => {
    const many: P[] = Array.from({ length: 6 }, (_, i) => ({ family: 'SMITH', given: `G${i}`, dob: `1980010${i}` }));
    const { pairs, skipped } = candidatePairs(many, rules, 5);
    expect(pairs).toEqual([]);
    expect(skipped).toEqual([{ key: 'fam-year:SMITH|1980', size: 6 }]);
  });

  it('measures pair completeness and reduction ratio', () => {
    expect(pairCompleteness([[0, 1], [0, 2]], [[1, 0], [3, 4]])).toBe(0.5);
    expect(pairCompleteness([], [])).toBe(1);
    expect(reductionRatio(5, 2)).toBeCloseTo(0.8, 12);
    expect(reductionRatio(1, 0)).toBe(1);
  });
});
