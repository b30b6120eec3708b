import { isClientId, Limits, Send } from '../../net/protocol/messages';

/**
 * A plain chat send read straight from its bytes, before any UTF-8 decoding or JSON.parse: the
 * exact text the project's clients encode for one, `{"t":"send","ref":"…","to":[…],"text":"…"}`
 * (or `"to":"all"`), with every string made of printable ASCII other than `"` and `\`. Such a
 * string is its own JSON value, so a slice of the bytes is the string JSON.parse would make, and
 * the result is the object fastSend makes of the parsed value. Decoding and parsing were a tenth
 * of the relay's work per message (bench/NOTES.md).
 *
 * Anything else — another key order, whitespace, an escape, a character past ASCII, any other
 * field, a limit crossed — returns undefined and takes the general path, so what is accepted and
 * every error stay the schema's own (the unit tests compare the two on seeded random bytes).
 */
export function scanPlainSend(payload: Buffer): Send | undefined {
  if (!startsWith(payload, 0, SEND_START)) return undefined;
  let at = SEND_START.length;
  const refEnd = plainStringEnd(payload, at);
  if (refEnd < 0 || refEnd === at || refEnd - at > Limits.refChars) return undefined;
  const ref = payload.toString('latin1', at, refEnd);
  at = refEnd + 1;
  if (!startsWith(payload, at, TO_KEY)) return undefined;
  at += TO_KEY.length;
  let to: 'all' | string[];
  if (startsWith(payload, at, ALL)) {
    to = 'all';
    at += ALL.length;
  } else {
    if (payload[at] !== OPEN_LIST) return undefined;
    to = [];
    do {
      at++;
      if (payload[at] !== QUOTE || to.length === Limits.targets) return undefined;
      const end = plainStringEnd(payload, at + 1);
      if (end < 0) return undefined;
      const id = payload.toString('latin1', at + 1, end);
      if (!isClientId(id)) return undefined;
      to.push(id);
      at = end + 1;
    } while (payload[at] === COMMA);
    if (payload[at] !== CLOSE_LIST) return undefined;
    at++;
  }
  if (!startsWith(payload, at, TEXT_KEY)) return undefined;
  at += TEXT_KEY.length;
  const textEnd = plainStringEnd(payload, at);
  if (textEnd < 0 || textEnd - at > Limits.textChars || textEnd !== payload.length - 2 || payload[textEnd + 1] !== CLOSE_OBJECT) return undefined;
  return { t: 'send', ref, to, text: payload.toString('latin1', at, textEnd) };
}

const SEND_START = Buffer.from('{"t":"send","ref":"', 'latin1');
const TO_KEY = Buffer.from(',"to":', 'latin1');
const ALL = Buffer.from('"all"', 'latin1');
const TEXT_KEY = Buffer.from(',"text":"', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const CLOSE_OBJECT = 0x7d;

function startsWith(payload: Buffer, at: number, bytes: Uint8Array): boolean {
  if (at + bytes.length > payload.length) return false;
  for (let i = 0; i < bytes.length; i++) if (payload[at + i] !== bytes[i]) return false;
  return true;
}

/** Where the string whose first character is at `at` ends (its closing quote), or -1 when a
 *  byte on the way is not plain printable ASCII or the payload ends first. */
function plainStringEnd(payload: Buffer, at: number): number {
  for (let i = at; i < payload.length; i++) {
    const c = payload[i];
    if (c === QUOTE) return i;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
  }
  return -1;
}
