// The package entry point re-exports every normaliser (the matching engine imports from it alone).
import { describe, expect, it } from 'vitest';
import * as normalize from '../../../algorithms/normalize/index.js';

describe('algorithms/normalize/index', () => {
  it.each([
    'fold',
    'tokens',
    'normalizeFamily',
    'normalizeGiven',
    'normalizeSuffix',
    'isInitial',
    'parseNicknameCsv',
    'buildNicknameIndex',
    'parseDate',
    'sameDate',
    'isDayMonthSwapped',
    'digitEditDistance',
    'daysBetween',
    'toYyyymmdd',
    'normalizeSex',
    'normalizeSsn',
    'ssnLast4',
    'normalizePhone',
    'phoneLast7',
    'normalizeStreet',
    'normalizeZip',
  ])('exports %s', (name) => {
    expect(typeof (normalize as Record<string, unknown>)[name]).toBe('function');
  });
});
