/**
 * Delimiters and escape sequences (HL7 v2 chapter 2, "escape sequences in text fields").
 *
 * Unescaping is applied to leaves only (after splitting into field/repetition/component/subcomponent),
 * otherwise `O\T\BRIEN` would be split at the restored `&`.
 */

export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7+ truncation character (5th char of MSH-2), when the sender declared one. */
  truncation?: string;
}

export const DEFAULT_DELIMITERS: Readonly<Delimiters> = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

/** MSH-2 text for these delimiters. */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}

/** Decodes the bytes of a `\Xhh..\` sequence. Injected so the parser can honour MSH-18. */
export type HexDecoder = (bytes: Buffer) => string;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Without a declared single-byte charset, hex escapes are most often UTF-8; a sequence that is not valid
 * UTF-8 can only sensibly be Latin-1, which maps every byte and never throws.
 */
export const defaultHexDecoder: HexDecoder = (bytes) => {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
};

const HEX_RE = /^X((?:[0-9A-Fa-f]{2})+)$/;

function translate(seq: string, d: Delimiters, decodeHex: HexDecoder): string | undefined {
  switch (seq) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'P':
      // Only meaningful when a truncation char exists; otherwise it is an unknown sequence.
      return d.truncation;
    case '.br':
      return '\n';
    case 'H':
    case 'N':
      // Highlighting has no meaning in stored demographics.
      return '';
    default: {
      const m = HEX_RE.exec(seq);
      if (m?.[1] !== undefined) return decodeHex(Buffer.from(m[1], 'hex'));
      return undefined;
    }
  }
}

/**
 * Resolves escape sequences in one leaf. Unknown or local sequences (`\Zxx\`, `\Cxxyy\`, `\.sp\`...) and an
 * unterminated escape are kept verbatim: dropping them would silently alter data we cannot interpret.
 */
export function unescapeValue(value: string, d: Delimiters, decodeHex: HexDecoder = defaultHexDecoder): string {
  const esc = d.escape;
  if (value.indexOf(esc) < 0) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(esc, i);
    if (start < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const end = value.indexOf(esc, start + 1);
    if (end < 0) {
      out += value.slice(start);
      break;
    }
    const replacement = translate(value.slice(start + 1, end), d, decodeHex);
    out += replacement ?? value.slice(start, end + 1);
    i = end + 1;
  }
  return out;
}

/**
 * Escapes text for use as one leaf. A single left-to-right pass is equivalent to "escape char first, then the
 * others" and cannot double-escape. Every newline form becomes `\.br\` because a raw CR would end the segment.
 */
export function escapeValue(value: string, d: Delimiters): string {
  let out = '';
  const e = d.escape;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === e) out += `${e}E${e}`;
    else if (ch === d.field) out += `${e}F${e}`;
    else if (ch === d.component) out += `${e}S${e}`;
    else if (ch === d.subcomponent) out += `${e}T${e}`;
    else if (ch === d.repetition) out += `${e}R${e}`;
    else if (d.truncation !== undefined && ch === d.truncation) out += `${e}P${e}`;
    else if (ch === '\r') {
      if (value[i + 1] === '\n') i++;
      out += `${e}.br${e}`;
    } else if (ch === '\n') out += `${e}.br${e}`;
    else out += ch;
  }
  return out;
}
