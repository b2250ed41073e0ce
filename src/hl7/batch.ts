/**
 * HL7 batch protocol: `[FHS] { BHS { MSH... } BTS } [FTS]`. Each message inside is acknowledged on its own,
 * so the envelope is only split here; the messages are then parsed with parseMessage.
 */
import { Hl7Error } from './errors.js';

export interface Hl7Batch {
  /** FHS segment text as received, if the input is a file. */
  fileHeader?: string;
  /** BHS segment texts as received, one per batch. */
  batchHeaders: string[];
  /** Each message's segments joined with CR. */
  messages: string[];
}

const SEGMENT_NAME_RE = /^[A-Z0-9]{3}$/;

/** True when the text is a batch or file envelope rather than a bare message. */
export function isBatch(text: string): boolean {
  const body = text.replace(/^[\uFEFF\s]+/, '');
  return body.startsWith('FHS') || body.startsWith('BHS');
}

/**
 * Splits a batch/file into messages and checks the envelope: BHS/BTS and FHS/FTS pairing, no segment outside
 * a message, no nested BHS, and the BTS-1 / FTS-1 counts when present. A bare MSH message is returned as a
 * batch of one. Throws Hl7Error 100 (segment sequence) with the path of the offending segment.
 */
export function splitBatch(text: string): Hl7Batch {
  const body = text.replace(/^[\uFEFF\s]+/, '');
  const lines = body.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '');
  const result: Hl7Batch = { batchHeaders: [], messages: [] };
  let fieldSeparator = body[3] ?? '|';
  let current: string[] | undefined;
  let batchOpen = false;
  let batchClosedCount = 0;
  let messagesInBatch = 0;
  let fileOpen = false;
  let fileClosed = false;
  const counts = new Map<string, number>();

  const flush = (): void => {
    if (current !== undefined) result.messages.push(current.join('\r'));
    current = undefined;
  };

  lines.forEach((line, index) => {
    const position = index + 1;
    const name = line.slice(0, 3);
    if (!SEGMENT_NAME_RE.test(name) || /[A-Za-z0-9]/.test(line[3] ?? '|')) {
      throw new Hl7Error(100, `Segment #${position} does not start with a valid segment name`, { path: `#${position}` });
    }
    const occurrence = (counts.get(name) ?? 0) + 1;
    counts.set(name, occurrence);
    const path = occurrence === 1 ? name : `${name}(${occurrence})`;
    const fail = (why: string): never => {
      throw new Hl7Error(100, `${name} at segment #${position} ${why}`, { path });
    };
    if (fileClosed) fail('follows FTS');
    switch (name) {
      case 'FHS':
        if (index !== 0) fail('must be the first segment');
        fieldSeparator = line[3] ?? fieldSeparator;
        fileOpen = true;
        result.fileHeader = line;
        break;
      case 'BHS':
        if (batchOpen) fail('opens a batch inside an open batch');
        flush();
        fieldSeparator = line[3] ?? fieldSeparator;
        batchOpen = true;
        messagesInBatch = 0;
        result.batchHeaders.push(line);
        break;
      case 'BTS': {
        if (!batchOpen) fail('closes a batch that was not opened');
        flush();
        const declared = countField(line, fieldSeparator);
        if (declared !== undefined && declared !== messagesInBatch) {
          throw new Hl7Error(100, `BTS-1 message count does not match the batch (segment #${position})`, {
            path: occurrence === 1 ? 'BTS-1' : `BTS(${occurrence})-1`,
          });
        }
        batchOpen = false;
        batchClosedCount++;
        break;
      }
      case 'FTS': {
        if (!fileOpen) fail('closes a file that was not opened');
        if (batchOpen) fail('closes the file while a batch is open');
        flush();
        const declared = countField(line, fieldSeparator);
        if (declared !== undefined && declared !== batchClosedCount) {
          throw new Hl7Error(100, `FTS-1 batch count does not match the file (segment #${position})`, { path: 'FTS-1' });
        }
        fileClosed = true;
        break;
      }
      case 'MSH':
        if (fileOpen && !batchOpen) fail('appears outside a batch in a file');
        flush();
        current = [line];
        messagesInBatch++;
        break;
      default:
        if (current === undefined) fail('appears before any MSH');
        current?.push(line);
    }
  });
  if (batchOpen) {
    throw new Hl7Error(100, 'Batch is not closed by BTS', { path: 'BTS' });
  }
  if (fileOpen && !fileClosed) {
    throw new Hl7Error(100, 'File is not closed by FTS', { path: 'FTS' });
  }
  flush();
  return result;
}

function countField(line: string, fieldSeparator: string): number | undefined {
  const value = (line.split(fieldSeparator)[1] ?? '').trim();
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
