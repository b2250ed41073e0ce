import { randomBytes } from 'node:crypto';
import type { FileConfig } from '../config.js';
import { buildAck, decodeMessageDetailed, encodeMessage, encodingForCharset, type Hl7Encoding, isEnhancedMode, isHl7Error, mapAckCodeForMode, parseHeaderOnly, type AckCode, type Hl7Header } from '../hl7/index.js';
import type { Logger } from '../lib/log.js';
import { errorKind } from '../lib/log.js';
import type { AuthorityRegistry } from './authorities.js';
import type { AdtCommand, IdentifierRef } from './adt.js';
import { ackCodeFor, contentError, IngestError } from './errors.js';
import type { Inbox, InboxRow } from './inbox.js';
import { contentHash, dedupKeyOf, interpret } from './interpret.js';
import { resolveProfile, senderKey } from './profile.js';

export interface ConnectionInfo {
  connectionId: string;
  remoteAddress: string;
}

/** Unique ACK control ids across restarts and processes: time, a per-process random tag, a counter. */
export function ackIdGenerator(): () => string {
  const tag = randomBytes(3).readUIntBE(0, 3).toString(36).padStart(5, '0').slice(-4);
  let counter = 0;
  return () => {
    counter = (counter + 1) % 36 ** 5;
    return `${Date.now().toString(36)}${tag}${counter.toString(36).padStart(5, '0')}`.toUpperCase();
  };
}

export interface ReceiverDeps {
  config: FileConfig;
  registry: AuthorityRegistry;
  inbox: Inbox;
  logger: Logger;
  /** Called after a pending message has committed: wakes the worker. */
  onStored: (messageId: number, it: { command: AdtCommand; sender: string; event: string }) => void;
  /** Resolves when the inbox backlog is below the limit (back-pressure on ACKs). */
  admit?: () => Promise<void>;
  /**
   * For A40s under `unknownMergePrior: reject`: which MRG-1 identifiers the MPI knows, once everything
   * stored before has been applied (an A04 still in the inbox must count as known).
   */
  knownIdentifiers?: (refs: IdentifierRef[]) => Promise<boolean[]>;
  nextAckId?: () => string;
}

/**
 * The sidecar's decision for one frame: store it (inbox or dead letter), then answer. Never throws:
 * a failure to store becomes AR (the sender may retry), and no ACK is sent before the row has committed.
 */
export class Receiver {
  private readonly nextAckId: () => string;

  constructor(private readonly deps: ReceiverDeps) {
    this.nextAckId = deps.nextAckId ?? ackIdGenerator();
  }

  async onMessage(frame: Buffer, conn: ConnectionInfo): Promise<Buffer | null> {
    const now = new Date();
    let text: string;
    let failure: IngestError | undefined;
    // The reply goes back in the encoding the message came in (an undeclared Latin-1 sender included).
    let replyEncoding: { encoding: Hl7Encoding } = { encoding: 'utf8' };
    try {
      const decoded = decodeMessageDetailed(frame);
      text = decoded.text;
      replyEncoding = { encoding: decoded.encoding };
    } catch (e) {
      text = frame.toString('latin1');
      replyEncoding = { encoding: 'latin1' };
      failure = isHl7Error(e) ? new IngestError(e.path?.startsWith('MSH') ? 'header' : 'content', e.code, e.message, e.path) : new IngestError('content', 102, 'message cannot be decoded');
    }
    if (text.includes('\u0000')) {
      text = text.replace(/\u0000/g, '');
      failure ??= new IngestError('content', 102, 'message contains NUL bytes');
    }
    const header = parseHeaderOnly(text);
    if (!header) {
      await this.storeGarbage(text, 'not an HL7 message: no readable MSH segment', conn);
      return null;
    }
    let event: string | null = header.messageType.trigger || null;
    let interpreted: { command: AdtCommand; sender: string; event: string } | undefined;
    if (!failure) {
      try {
        const it = interpret(text, this.deps.config, this.deps.registry, now);
        event = it.event;
        interpreted = { command: it.command, sender: it.sender.sender, event: it.event };
        if (it.command.kind === 'merge' && it.sender.profile.unknownMergePrior === 'reject' && this.deps.knownIdentifiers) {
          const retired = it.command.groups.flatMap((g) => g.retired);
          const known = await this.deps.knownIdentifiers(retired);
          if (known.some((k) => !k)) failure = contentError(204, 'MRG-1 identifier is not known to the MPI', 'MRG-1');
        }
      } catch (e) {
        failure = e instanceof IngestError ? e : new IngestError('internal', 207, 'message could not be interpreted');
        if (!(e instanceof IngestError)) this.deps.logger.error('interpret failed', errorKind(e));
      }
    }
    const code = failure ? ackCodeFor(failure.kind) : 'AA';
    const ack = this.ack(header, code, now, failure);
    const profile = resolveProfile(this.deps.config, header.sendingApplication?.namespace, header.sendingFacility?.namespace)?.profile;
    const base = describe(header, text, conn);
    const key = dedupKeyOf(header);
    const row: InboxRow = {
      ...base,
      // Under `controlIdReuse: accept` the content is part of the key, so only identical resends collide.
      dedupKey: key && profile?.controlIdReuse === 'accept' ? `${key}\u001f${base.contentHash}` : key,
      event,
      status: failure ? 'rejected' : 'pending',
      ackCode: code,
      ack,
      errorCode: failure?.hl7Code ?? null,
      error: failure?.message ?? null,
    };
    try {
      if (!failure && this.deps.admit) await this.deps.admit();
      const stored = await this.deps.inbox.store(row);
      if (stored.outcome === 'stored') {
        if (!failure && interpreted) this.deps.onStored(stored.id, interpreted);
        return encodeMessage(ack, replyEncoding);
      }
      if (stored.outcome === 'duplicate' && stored.ack) return encodeMessage(stored.ack, replyEncoding);
      // Same control id, other content: store it beside the first (no key) and refuse it.
      const conflict = new IngestError('conflict', 205, 'MSH-10 message control id was already used for a different message', 'MSH-10');
      const conflictAck = this.ack(header, ackCodeFor(conflict.kind), now, conflict);
      await this.deps.inbox.store({ ...row, dedupKey: null, status: 'rejected', ackCode: 'AE', ack: conflictAck, errorCode: 205, error: conflict.message });
      return encodeMessage(conflictAck, replyEncoding);
    } catch (e) {
      this.deps.logger.error('message not stored: answered AR', { ...errorKind(e), connectionId: conn.connectionId });
      const transient = new IngestError('transient', 207, 'message could not be stored; resend later');
      return encodeMessage(this.ack(header, 'AR', now, transient), replyEncoding);
    }
  }

  /** A frame over the size limit: answer AR if its MSH is readable, keep its head as a dead letter. */
  async onOversize(head: Buffer, size: number, conn: ConnectionInfo): Promise<Buffer | null> {
    const text = head.toString('latin1').replace(/\u0000/g, '');
    const header = parseHeaderOnly(text);
    const err = new IngestError('header', 207, `message of ${size} bytes exceeds the maximum frame size`);
    const ack = header ? this.ack(header, 'AR', new Date(), err) : null;
    try {
      await this.deps.inbox.store({
        ...describe(header, text, conn),
        truncated: true,
        ackCode: ack ? 'AR' : null,
        ack,
        errorCode: 207,
        error: `${err.message} (only the first ${head.length} bytes kept)`,
      });
    } catch (e) {
      this.deps.logger.error('oversize frame not stored', errorKind(e));
    }
    return ack ? encodeMessage(ack, safeEncoding(header?.charset)) : null;
  }

  private async storeGarbage(text: string, reason: string, conn: ConnectionInfo) {
    try {
      await this.deps.inbox.store({ ...describe(undefined, text, conn), errorCode: 100, error: reason });
    } catch (e) {
      this.deps.logger.error('garbage frame not stored', errorKind(e));
    }
    this.deps.logger.warn('frame without MSH: connection closed', { connectionId: conn.connectionId, bytes: text.length });
  }

  private ack(header: Hl7Header, code: 'AA' | 'AE' | 'AR', now: Date, err?: IngestError): string {
    const mode: AckCode = mapAckCodeForMode(code, isEnhancedMode(header));
    return buildAck({
      header,
      code: mode,
      controlId: this.nextAckId(),
      now,
      errors: err ? [{ code: err.hl7Code, text: err.message, path: err.path, severity: 'E' }] : undefined,
    });
  }
}

/** The inbox row of a frame as far as its header tells, stored as a dead letter unless the caller says otherwise. */
function describe(header: Hl7Header | undefined, text: string, conn: ConnectionInfo): InboxRow {
  return {
    dedupKey: null,
    sender: header ? senderKey(header.sendingApplication?.namespace, header.sendingFacility?.namespace) : null,
    receiver: header ? senderKey(header.receivingApplication?.namespace, header.receivingFacility?.namespace) : null,
    controlId: header?.controlId || null,
    messageType: header ? [header.messageType.code, header.messageType.trigger].filter(Boolean).join('^') || null : null,
    event: header?.messageType.trigger || null,
    version: header?.version || null,
    charset: header?.charset || null,
    contentHash: contentHash(text),
    raw: text,
    status: 'rejected',
    ackCode: null,
    ack: null,
    errorCode: null,
    error: null,
    remoteAddress: conn.remoteAddress,
  };
}

function safeEncoding(charset: string | undefined): { encoding: Hl7Encoding } {
  try {
    return { encoding: encodingForCharset(charset) };
  } catch {
    return { encoding: 'latin1' };
  }
}
