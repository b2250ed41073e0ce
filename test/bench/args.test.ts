import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../bench/args.js';

describe('parseBenchOptions', () => {
  it('reads --name value, --name=value and bare flags', () => {
    const o = parseBenchOptions(['--persons', '300', '--seed=7', '--json-only'], ['persons', 'seed'], ['json-only', 'lockstep']);
    expect(o.int('persons', 2000, 1)).toBe(300);
    expect(o.int('seed', 1, 0)).toBe(7);
    expect(o.flag('json-only')).toBe(true);
    expect(o.flag('lockstep')).toBe(false);
    expect(o.int('missing' as string, 5, 0)).toBe(5);
  });

  it.each([
    [['--bogus', '1'], 'unknown option --bogus'],
    [['stray'], 'unexpected argument stray'],
    [['--persons'], '--persons needs a value'],
    [['--persons', '--seed', '1'], '--persons needs a value'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBenchOptions(argv, ['persons', 'seed'])).toThrow(message);
  });

  it('refuses a value that is not an integer at or above the minimum', () => {
    const o = parseBenchOptions(['--persons', '2.5', '--seed', '-1'], ['persons', 'seed']);
    expect(() => o.int('persons', 1, 1)).toThrow('--persons must be an integer ≥ 1');
    expect(() => o.int('seed', 1, 0)).toThrow('--seed must be an integer ≥ 0');
  });
});
