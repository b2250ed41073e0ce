import { describe, expect, it } from 'vitest';
import { normalizeSex, type Sex } from '../../../algorithms/normalize/sex.js';

describe('normalizeSex', () => {
  it.each<[string | null | undefined, Sex | null]>([
    ['F', 'F'],
    ['f', 'F'],
    ['Female', 'F'],
    [' FEMALE ', 'F'],
    ['W', 'F'],
    ['2', 'F'],
    ['M', 'M'],
    ['m', 'M'],
    ['Male', 'M'],
    ['1', 'M'],
    ['O', 'O'],
    ['Other', 'O'],
    // unknown in every spelling is null, never a value two records could agree on
    ['U', null],
    ['Unknown', null],
    ['A', null],
    ['N', null],
    ['0', null],
    ['9', null],
    ['', null],
    ['X', null],
    ['FM', null],
    [null, null],
    [undefined, null],
  ])('normalizeSex(%j) = %j', (raw, expected) => {
    expect(normalizeSex(raw)).toBe(expected);
  });
});
