// Record-linkage comparators: pure functions over normalised (folded, upper-case) values.
export * from './strings.js';
export * from './phonetic.js';
export * from './dates.js';
export * from './identifiers.js';
export * from './names.js';
