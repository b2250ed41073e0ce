import { pgSequence } from 'drizzle-orm/pg-core';

/**
 * Advanced by every transaction that takes the apply lock and changes records (each worker batch, each steward
 * action): the worker carries what its last batch read and wrote into the next one only while the sequence
 * still stands where its own batch left it (worker.ts). A sequence, not a row: bumping it never waits on
 * another transaction, and a bump by a transaction that then rolls back only costs the worker one cache.
 */
export const applyEpoch = pgSequence('apply_epoch');
