import { describe, expect, it } from 'vitest';
import { foldName } from '../../src/ingest/demographics.js';
import { indexColumns } from '../../src/linkage/store.js';

describe('foldName (the lookup columns shown in the review list)', () => {
  it.each([
    ['Müller', 'MULLER'],
    ['Đorđević', 'DORDEVIC'],
    ['Łukasz', 'LUKASZ'],
    ['Weiß', 'WEISS'],
    ['Søren', 'SOREN'],
    ["O'Brien", 'OBRIEN'],
    ['García-López', 'GARCIA LOPEZ'],
    ['  de la  Cruz ', 'DE LA CRUZ'],
    ['Иванов', 'ИВАНОВ'],
  ])('%s → %s', (raw, folded) => {
    expect(foldName(raw)).toBe(folded);
  });

  it('gives undefined for nothing or punctuation only', () => {
    expect(foldName(undefined)).toBeUndefined();
    expect(foldName('')).toBeUndefined();
    expect(foldName(' - ')).toBeUndefined();
  });

  it('fills the columns written with a record from its legal name', () => {
    const cols = indexColumns({ v: 1, names: [{ family: 'Kowalska', given: 'Zoë', type: 'M' }, { family: 'Wałęsa', given: 'Zoë', type: 'L' }], addresses: [], phones: [], birthDate: '1980-02-03', birthDatePrecision: 'day', sex: 'F' });
    expect(cols).toEqual({ family: 'WALESA', given: 'ZOE', birthDate: '1980-02-03', sex: 'F' });
  });
});
