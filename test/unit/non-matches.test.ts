import { describe, expect, it } from 'vitest';
import type { Demographics } from '../../src/ingest/demographics.js';
import { demographicsFingerprint } from '../../src/linkage/non-matches.js';
import { waterfall } from '../../src/linkage/review-queue.js';

describe('non-match fingerprints', () => {
  const d: Demographics = { v: 1, names: [{ family: 'DOE', given: 'JANE', type: 'L' }], birthDate: '1970-01-02', birthDatePrecision: 'day', sex: 'F', addresses: [{ street: '1 MAIN ST', zip: '62701' }], phones: [{ number: '2175550100' }], ssn: '219094512' };

  it('is the same for the same data however its keys are ordered or stored (jsonb reorders them)', () => {
    const reordered = JSON.parse(JSON.stringify({ ssn: d.ssn, phones: d.phones, addresses: [{ zip: '62701', street: '1 MAIN ST' }], sex: 'F', birthDatePrecision: 'day', birthDate: '1970-01-02', names: [{ type: 'L', given: 'JANE', family: 'DOE' }], v: 1 }));
    expect(demographicsFingerprint(reordered)).toBe(demographicsFingerprint(d));
    expect(demographicsFingerprint({ ...d, mothersMaidenName: undefined })).toBe(demographicsFingerprint(d));
    expect(demographicsFingerprint(d)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('changes with any value, and with the order of repeated fields', () => {
    const base = demographicsFingerprint(d);
    expect(demographicsFingerprint({ ...d, phones: [{ number: '2175550101' }] })).not.toBe(base);
    expect(demographicsFingerprint({ ...d, names: [{ family: 'DOE', given: 'JANE', type: 'M' }] })).not.toBe(base);
    expect(demographicsFingerprint({ ...d, ssn: null })).not.toBe(base);
    const two = { ...d, phones: [{ number: '1' }, { number: '2' }] };
    expect(demographicsFingerprint({ ...two, phones: [...two.phones].reverse() })).not.toBe(demographicsFingerprint(two));
  });
});

describe('review waterfall', () => {
  it('runs from the prior through each contribution to the total weight', () => {
    const w = waterfall({
      prior: -13,
      weight: 7.5,
      probability: 1 / (1 + 2 ** -7.5),
      contributions: [
        { comparison: 'given_name', level: 'exact', levelIndex: 1, weight: 6, tfAdjustment: 1.5, m: 0.9, u: 0.0140625 },
        { comparison: 'dob', level: 'exact', levelIndex: 1, weight: 14, tfAdjustment: 0, m: 0.95, u: 0.95 / 2 ** 14 },
        { comparison: 'household', level: 'shared-residence', levelIndex: -1, weight: -1, tfAdjustment: 0 },
      ],
    });
    expect(w.contributions.map((c) => [c.total, c.cumulative])).toEqual([
      [7.5, -5.5],
      [14, 8.5],
      [-1, 7.5],
    ]);
    expect(w.sum).toBe(7.5);
    expect(w.contributions[0]!.bayesFactor).toBeCloseTo(2 ** 7.5, 9);
    expect(w.contributions[2]).not.toHaveProperty('bayesFactor');
    expect(w.contributions[1]!.probabilityAfter).toBeCloseTo(1 / (1 + 2 ** -8.5), 12);
    expect(w.priorProbability).toBeCloseTo(1 / (1 + 2 ** 13), 12);
  });
});
