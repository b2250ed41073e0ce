import type { Demographics } from '../ingest/demographics.js';
import type { Tx } from '../storage/db.js';
import type { ApplyContext, SourceRecordRow } from './records.js';
import type { RecordStore } from './store.js';

export type LinkKind = 'new' | 'asserted' | 'a40' | 'auto' | 'steward';

/**
 * Review reasons that say the pair is probably two people (a different SSN, suffix or generation, two real
 * given names in one household): such an item holds the pair apart rather than asking whether it is one.
 */
export const HELD_APART_REASONS = ['ssn-disagrees', 'suffix-differs', 'household-generation', 'distinct-given-names', 'names-differ'] as const;

/** A pair for the stewards' queue: the record may be the person of `candidateGoldenId`. */
export interface ReviewProposal {
  candidateGoldenId: string;
  candidateRecordId: number;
  probability: number;
  weight: number;
  reasons: string[];
  explanation: unknown;
  modelVersion: number;
}

export type Placement =
  | {
      goldenId: string;
      kind: LinkKind;
      score?: number;
      modelVersion?: number;
      /** Golden records of one record alone that this record matched strongly too: handed to `linked`. */
      alsoMatched?: string[];
      /**
       * Questions put to a steward beside the link (reason `linked-elsewhere`): golden records the record matched
       * strongly too, but far less well than the one it joins. Opened after `linked` (records.ts openBeside).
       */
      reviews?: ReviewProposal[];
    }
  /** Start a new golden record; `reviews` are opened against it (the record waits in its own golden record). */
  | { goldenId: null; reviews?: ReviewProposal[] };

/**
 * The seam for record linkage: called inside the transaction that stored the source record, so a
 * decision and the change it causes commit together. The matching engine implements this; the identity
 * linker below gives every record its own golden record (A40 merges and shared identifiers aside).
 */
export interface Linker {
  /**
   * True when place/updated read nothing from the database that the same batch may have written: then
   * the worker may hold a batch's writes in memory and write them together (BatchStore).
   */
  readonly batchSafe?: boolean;
  /** Before a batch: the demographics its registrations carry, so the linker can read ahead for all of them. */
  prepare?(tx: Tx, store: RecordStore, batch: readonly Demographics[]): Promise<void>;
  place(ctx: ApplyContext, record: SourceRecordRow, demographics: Demographics): Promise<Placement>;
  /**
   * After the record was linked where `place` said, when the placement named `alsoMatched` golden records: the
   * linker may move records whose placement that link settles (a record left alone in its own golden record
   * that the new member matches).
   */
  linked?(ctx: ApplyContext, alsoMatched: readonly string[]): Promise<void>;
  /** After an A08 changed a linked record's demographics; may move it out of its golden record. */
  updated(ctx: ApplyContext, record: SourceRecordRow, demographics: Demographics): Promise<void>;
}

export const identityLinker: Linker = {
  batchSafe: true,
  async place() {
    return { goldenId: null };
  },
  async updated() {},
};
