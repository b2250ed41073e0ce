export * from './errors.js';
export * from './escape.js';
export * from './charset.js';
export * from './path.js';
export * from './message.js';
export * from './datatypes.js';
export * from './batch.js';
export * from './ack.js';
