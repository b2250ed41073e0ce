import { describe, expect, it } from 'vitest';
import { DWARFED_BY, dwarfed, knownNames, parseGivenNameCsv, parseNameCounts, withBirths } from '../../../algorithms/normalize/given-names.js';

describe('known given names', () => {
  it('parses name lists folded as given names are, header and blank lines aside', () => {
    expect(parseGivenNameCsv('name,persons\nJosé,12\n\nmary-ann,3\nA,1\n')).toEqual(['JOSE', 'MARYANN']);
    expect([...knownNames(['Jennifer', 'JENNIFER'], ['Kyla'])].sort()).toEqual(['JENNIFER', 'KYLA']);
  });

  it('counts births by folded name, summing spellings that fold together, and skips rows without a count', () => {
    const counts = parseNameCounts('name,births\nJOSE,559977\nJOSÉ,23\nJASEN,4440\nBROKEN\nZERO,0\n');
    expect(Object.fromEntries(counts)).toEqual({ JOSE: 560000, JASEN: 4440 });
  });

  it(`a name is dwarfed by one ${DWARFED_BY} times as common, and only where both counts are known`, () => {
    const known = withBirths(knownNames(['JASON', 'JASEN', 'MARIA', 'MARTA', 'RARE']), new Map([['JASON', 1_029_550], ['JASEN', 4440], ['MARIA', 544_724], ['MARTA', 16_916]]));
    expect(known.has('JASEN')).toBe(true);
    expect(dwarfed(known, 'JASEN', 'JASON')).toBe(true);
    expect(dwarfed(known, 'JASON', 'JASEN')).toBe(false);
    expect(dwarfed(known, 'MARTA', 'MARIA')).toBe(false); // 32 times: names of one order
    expect(dwarfed(known, 'RARE', 'JASON')).toBe(false); // no count for RARE
    expect(dwarfed(new Set(['JASEN', 'JASON']), 'JASEN', 'JASON')).toBe(false); // a vocabulary without counts
    // At the boundary.
    const edge = withBirths(new Set(['A1', 'B1']), new Map([['AA', 1], ['BB', DWARFED_BY]]));
    expect(dwarfed(edge, 'AA', 'BB')).toBe(true);
  });
});
