import { createHash } from 'node:crypto';
import { SUPPORTED_EVENTS, type FileConfig } from '../config.js';
import { header as readHeader, safeParseMessage, type Hl7Header, type Hl7Message } from '../hl7/index.js';
import { mapAdt, type AdtCommand } from './adt.js';
import type { AuthorityRegistry } from './authorities.js';
import { headerError, IngestError, locationFromPath } from './errors.js';
import { resolveProfile, type SenderProfile } from './profile.js';

export interface Interpreted {
  message: Hl7Message;
  header: Hl7Header;
  sender: SenderProfile;
  event: string;
  command: AdtCommand;
}

const VERSION = /^2\.[1-9](\.\d+)?$/;

/**
 * Parse → header checks → sender profile → content mapping. Used on receipt (to choose the ACK) and
 * again by the worker and by dead-letter retries, so a config fix changes the outcome of a retry.
 */
export function interpret(text: string, config: FileConfig, registry: AuthorityRegistry, now = new Date()): Interpreted {
  const parsed = safeParseMessage(text);
  if (!parsed.success) {
    const e = parsed.error;
    const path = e.path;
    const onHeader = !path || path.startsWith('MSH');
    throw new IngestError(onHeader ? 'header' : 'content', e.code, e.message, path, locationFromPath(path));
  }
  const message = parsed.message;
  const header = readHeader(message);
  checkHeader(header);
  const sender = resolveProfile(config, header.sendingApplication?.namespace, header.sendingFacility?.namespace);
  if (!sender) throw headerError(204, 'MSH-3 sending application is not a configured sender', 'MSH-3');
  const event = eventOf(header, message);
  if (!sender.profile.processingIds.includes(header.processingId as 'P')) throw headerError(202, 'MSH-11 processing id is not accepted', 'MSH-11');
  if (!(SUPPORTED_EVENTS as readonly string[]).includes(event) || !sender.profile.acceptedEvents.includes(event)) {
    throw headerError(201, `unsupported event ${event}`, 'MSH-9.2');
  }
  const command = mapAdt(message, event, sender.profile, registry, now);
  return { message, header, sender, event, command };
}

function checkHeader(h: Hl7Header) {
  if (!h.controlId) throw headerError(101, 'MSH-10 message control id missing', 'MSH-10');
  if (!h.messageType.code) throw headerError(101, 'MSH-9 message type missing', 'MSH-9');
  if (h.messageType.code !== 'ADT') throw headerError(200, `unsupported message type ${h.messageType.code}`, 'MSH-9.1');
  if (!h.version) throw headerError(101, 'MSH-12 version id missing', 'MSH-12');
  if (!VERSION.test(h.version)) throw headerError(203, 'MSH-12 version is not supported (2.1 to 2.9)', 'MSH-12');
  if (!h.processingId) throw headerError(101, 'MSH-11 processing id missing', 'MSH-11');
}

/** MSH-9.2, or EVN-1 for old senders that leave the trigger out of MSH-9. */
function eventOf(h: Hl7Header, m: Hl7Message): string {
  const trigger = (h.messageType.trigger || m.get('EVN-1') || '').toUpperCase();
  if (!trigger) throw headerError(101, 'MSH-9.2 trigger event missing', 'MSH-9.2');
  return trigger;
}

/** The key that makes a resend a duplicate: the sender (MSH-3, MSH-4) and its control id (MSH-10). */
export function dedupKeyOf(h: Pick<Hl7Header, 'sendingApplication' | 'sendingFacility' | 'controlId'>): string | null {
  if (!h.controlId) return null;
  return `${h.sendingApplication?.raw ?? ''}|${h.sendingFacility?.raw ?? ''}\u001f${h.controlId}`;
}

/** Hash of the content, insensitive to line-end rewriting by engines in between. */
export function contentHash(text: string): string {
  const normal = text.replace(/\r\n|\n/g, '\r').replace(/[\r\s]+$/, '');
  return createHash('sha256').update(normal).digest('hex');
}

