export { CR, FS, VT, OVERSIZE_HEAD_BYTES, MllpFramer, encodeFrame } from './framer.js';
export type { FrameEvent, MllpFramerOptions } from './framer.js';
export { startMllpServer } from './server.js';
export type { ConnectionContext, MllpReply, MllpServer, MllpServerOptions } from './server.js';
export { MllpClient } from './client.js';
export type { MllpClientOptions } from './client.js';
export { MllpError, noopLogger } from './types.js';
export type { Logger, MllpErrorCode } from './types.js';
