// Normalisers: raw demographic values to the canonical forms the comparators and blocking rules work on.
export * from './text.js';
export * from './names.js';
export * from './nicknames.js';
export * from './given-names.js';
export * from './dates.js';
export * from './sex.js';
export * from './ssn.js';
export * from './phone.js';
export * from './address.js';
