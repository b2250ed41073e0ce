/**
 * Differential test against @medplum/core@4.5.2 (dev-only oracle). Known medplum quirks accounted for:
 * no unescaping (so only escape-free fields are compared leaf by leaf), subcomponent and repetition
 * indexes 0-based, an empty field is `[['']]`, and a trailing line break yields an empty segment.
 */
import { Hl7Message as MedplumMessage } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { decodeMessage, parseMessage, splitBatch, type Hl7Message } from '../../src/hl7/index.js';
import { fixtureBytes, fixturesOfKind } from './fixture-files.js';

const COMPARED = new Set(['MSH', 'PID', 'MRG', 'PV1', 'EVN']);

function texts(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const f of fixturesOfKind('message', 'response-shape', 'unsupported-type')) {
    out.push([f.file, decodeMessage(fixtureBytes(f.file))]);
  }
  for (const f of fixturesOfKind('envelope')) {
    splitBatch(decodeMessage(fixtureBytes(f.file))).messages.forEach((m, i) => out.push([`${f.file}#${i + 1}`, m]));
  }
  return out;
}

function compare(ours: Hl7Message, theirs: MedplumMessage): { leaves: number; escapedFields: number } {
  const theirSegments = theirs.segments.filter((s) => s.toString().trim() !== '');
  expect(theirSegments.map((s) => s.name)).toEqual(ours.segments.map((s) => s.name));
  let leaves = 0;
  let escapedFields = 0;
  ours.segments.forEach((seg, i) => {
    if (!COMPARED.has(seg.name)) return;
    const their = theirSegments[i];
    if (their === undefined) throw new Error('segment count mismatch');
    expect(their.toString()).toBe(seg.raw);
    const first = seg.name === 'MSH' ? 3 : 1;
    const theirCount = seg.name === 'MSH' ? their.fields.length : their.fields.length - 1;
    expect(theirCount).toBe(seg.fieldCount);
    for (let n = first; n <= seg.fieldCount; n++) {
      const field = seg.field(n);
      const theirField = their.getField(n);
      if (field === undefined) throw new Error('field missing');
      expect(theirField.toString(), `${seg.name}-${n}`).toBe(field.raw);
      if (field.isEmpty) {
        expect(theirField.components).toEqual([['']]);
        continue;
      }
      if (field.raw.includes(ours.delimiters.escape)) {
        escapedFields++;
        continue;
      }
      expect(theirField.components.length, `${seg.name}-${n} repetitions`).toBe(field.repetitions.length);
      field.repetitions.forEach((rep, r) => {
        expect(theirField.components[r]?.length, `${seg.name}-${n}[${r + 1}] components`).toBe(rep.components.length);
        rep.components.forEach((comp, c) => {
          expect(theirField.getComponent(c + 1, undefined, r), `${seg.name}-${n}[${r + 1}].${c + 1}`).toBe(comp.raw);
          comp.subcomponents.forEach((sub, s) => {
            expect(theirField.getComponent(c + 1, s, r), `${seg.name}-${n}[${r + 1}].${c + 1}.${s + 1}`).toBe(sub);
            leaves++;
          });
        });
      });
    }
  });
  return { leaves, escapedFields };
}

describe('differential parse against @medplum/core Hl7Message', () => {
  const all = texts();

  it('has every parseable fixture to compare (112 + 4 + 2 files, 4 envelope messages)', () => {
    expect(all).toHaveLength(122);
  });

  let totalLeaves = 0;
  for (const [name, text] of all) {
    it(name, () => {
      const ours = parseMessage(text);
      // medplum requires the text to start with MSH, so give it the BOM-free text.
      const theirs = MedplumMessage.parse(text.replace(/^[\uFEFF\s]+/, ''));
      totalLeaves += compare(ours, theirs).leaves;
    });
  }

  it('compared a meaningful number of leaves', () => {
    expect(totalLeaves).toBeGreaterThan(5000);
  });

  it('documents where we deliberately differ: medplum leaves escapes in place', () => {
    const text = 'MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5\rPID|1||X||O\\T\\BRIEN^JOHN';
    const theirs = MedplumMessage.parse(text);
    expect(theirs.getSegment('PID')?.getComponent(5, 1)).toBe('O\\T\\BRIEN');
    expect(parseMessage(text).get('PID-5.1')).toBe('O&BRIEN');
  });
});
