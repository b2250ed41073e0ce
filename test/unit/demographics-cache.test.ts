import { describe, expect, it } from 'vitest';
import { DemographicsCache } from '../../src/linkage/store.js';

describe('DemographicsCache', () => {
  it('answers only for the version it holds', () => {
    const c = new DemographicsCache();
    c.set(7, 100, '{"a":1}');
    expect(c.get(7, 100)).toBe('{"a":1}');
    // A later message rewrote the record: the held version no longer answers for it.
    expect(c.get(7, 101)).toBeUndefined();
    expect(c.get(8, 100)).toBeUndefined();
    c.set(7, 101, '{"a":2}');
    expect(c.get(7, 100)).toBeUndefined();
    expect(c.get(7, 101)).toBe('{"a":2}');
    // Records written by no message (null) are versions too.
    c.set(9, null, '{}');
    expect(c.get(9, null)).toBe('{}');
    expect(c.get(9, 1)).toBeUndefined();
  });

  it('drops the record written longest ago when full, and a rewrite counts as new', () => {
    const c = new DemographicsCache(2);
    c.set(1, 1, 'one');
    c.set(2, 1, 'two');
    c.set(1, 2, 'one again');
    c.set(3, 1, 'three');
    expect(c.size).toBe(2);
    expect(c.get(2, 1)).toBeUndefined();
    expect(c.get(1, 2)).toBe('one again');
    expect(c.get(3, 1)).toBe('three');
  });
});
