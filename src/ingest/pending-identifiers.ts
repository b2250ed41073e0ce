import { identifierKey, type AdtCommand, type IdentifierRef } from './adt.js';

/** Every identifier an ADT command names (PID-3, and MRG-1 for merges). */
export function identifiersOf(cmd: AdtCommand): IdentifierRef[] {
  return cmd.kind === 'register' ? cmd.identifiers : cmd.groups.flatMap((g) => [...g.survivor, ...g.retired]);
}

/**
 * Identifiers named by messages this process has stored (and ACKed) but not applied yet. An A40 whose
 * MRG-1 is only in such a message is valid: arrival order guarantees the registration is applied first.
 */
export class PendingIdentifiers {
  private counts = new Map<string, number>();

  add(cmd: AdtCommand) {
    for (const id of identifiersOf(cmd)) {
      const k = identifierKey(id);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }

  remove(cmd: AdtCommand) {
    for (const id of identifiersOf(cmd)) {
      const k = identifierKey(id);
      const n = (this.counts.get(k) ?? 0) - 1;
      if (n > 0) this.counts.set(k, n);
      else this.counts.delete(k);
    }
  }

  has(id: IdentifierRef) {
    return this.counts.has(identifierKey(id));
  }

  get size() {
    return this.counts.size;
  }
}
