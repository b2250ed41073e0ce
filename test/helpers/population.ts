import { expect } from 'vitest';
import { recordKey, truthMap, type Population, type PopulationMessage } from '../../bench/adt-population.js';
import type { Interpreted } from '../../src/ingest/interpret.js';

/**
 * Every generated message, as the service interprets it, names the record its ground truth says: an A40 the
 * survivor and the retired record of the same person, a registration exactly its MRN (never the SSN, whether in
 * PID-3 or PID-19, nor an account number). Shared by the tests of every feed generator.
 */
export function expectInterpretedAsTruth(pop: Population, results: ReadonlyArray<{ m: PopulationMessage; it: Interpreted }>) {
  expect(results).toHaveLength(pop.messages.length);
  const truth = truthMap(pop);
  for (const { m, it } of results) {
    expect(it.event).toBe(m.event);
    expect(it.sender.configured).toBe(true);
    if (m.event === 'A40') {
      expect(it.command.kind).toBe('merge');
      if (it.command.kind !== 'merge') continue;
      const g = it.command.groups[0]!;
      expect(g.survivor.map((i) => [i.authority.oid, i.value])).toEqual([[m.oid, m.mrn]]);
      expect(g.retired.map((i) => [i.authority.oid, i.value])).toEqual([[m.oid, m.retired]]);
      expect(truth.get(recordKey(m.oid, m.retired!))).toBe(m.person);
    } else {
      expect(it.command.kind).toBe('register');
      if (it.command.kind !== 'register') continue;
      expect(it.command.identifiers.map((i) => [i.authority.oid, i.value])).toEqual([[m.oid, m.mrn]]);
    }
    expect(truth.get(recordKey(m.oid, m.mrn))).toBe(m.person);
  }
}
