export * from './authorities.js';
export * from './messages.js';
export * from './source-records.js';
export * from './golden-records.js';
export * from './links.js';
export * from './outbox-events.js';
export * from './audit-log.js';
