import { codeParts, hasCodeParts } from '../net/protocol/codeMessages';
import type { HistoryEntry } from './historyEntry';

/**
 * A stored message in the fewest bytes that give it back exactly: what the history's columns
 * already say (seq, time, sender, conversation) is left out, names and identities are small
 * numbers, and the fields most messages lack (code, files, mentions, attachments, an edit) are
 * one JSON object when there. A million messages take well under half of their log's size this way, and held as
 * their JSON they would take all of it (the history's memory bound is 1.5× the log).
 *
 * A record: a format byte, the ref, the name, the id (when it is not `<epoch>-<seq>`), the
 * targets (a list of identities; 'all' and a channel are in the format byte and the
 * conversation), the text, and the rest as JSON. Lengths and numbers are varints; text is UTF-8
 * (ASCII flagged as such) unless it holds a lone surrogate (UTF-8 cannot), then UTF-16, as a ref
 * is unless it is ASCII.
 */

const REF_UTF16 = 1;
const OWN_ID = 2;
const TO_ALL = 4;
const TO_LIST = 8;
const TEXT_UTF16 = 16;
const EXTRAS = 32;
/** The thread is `<epoch>-<parent seq>`, the parent seq being in the history's columns. */
const USUAL_THREAD = 64;
/** The text is ASCII: written and read a byte a character, without UTF-8's work. */
const TEXT_ASCII = 128;

const SURROGATE = /[\ud800-\udfff]/;

/** What the codec looks up beside a record. */
export interface CodecTables {
  readonly epoch: string;
  /** A small number for an identity or a name (given the first time it is asked for). */
  identity(clientId: string): number;
  identityOf(index: number): string;
  name(name: string): number;
  nameOf(index: number): string;
}

/** What the columns hold of a record, given back to decode it. */
export interface RecordColumns {
  seq: number;
  ts: number;
  sender: number;
  /** The conversation key (a channel's key is its messages' target). */
  conv: string;
  /** The thread parent's seq, or 0. */
  parent: number;
}

/** A message ready to be written: its size first, so room is made for it. */
export class EncodedMessage {
  readonly size: number;
  private readonly format: number;
  private readonly name: number;
  /** The identity numbers of a list of targets (the history's conversation of a direct message
   *  is found by them). */
  readonly targets: number[] | undefined;
  private readonly textBytes: number;
  private readonly extras: string | undefined;

  constructor(
    private readonly entry: HistoryEntry,
    parent: number,
    tables: CodecTables,
  ) {
    // This runs in every send: the common case (ASCII ref and text, the history's own id) is
    // told by loops and lengths, not by regular expressions, string building or JSON.
    const refAscii = plainAscii(entry.ref) || isAscii(entry.ref);
    const textBytes = Buffer.byteLength(entry.text, 'utf8');
    // As many bytes as UTF-16 units: all ASCII, so no lone surrogate to look for.
    const textUtf16 = textBytes !== entry.text.length && SURROGATE.test(entry.text) && !wellFormed(entry.text);
    const ownId = !isOwnId(entry.id, tables.epoch, entry.seq);
    const usualThread = entry.thread !== undefined && parent > 0 && isOwnId(entry.thread, tables.epoch, parent);
    const extras = extrasOf(entry, usualThread);
    this.targets = Array.isArray(entry.to) ? identities(entry.to, tables) : undefined;
    this.format =
      (refAscii ? 0 : REF_UTF16) |
      (ownId ? OWN_ID : 0) |
      (entry.to === 'all' ? TO_ALL : 0) |
      (this.targets ? TO_LIST : 0) |
      (textUtf16 ? TEXT_UTF16 : 0) |
      (textBytes === entry.text.length ? TEXT_ASCII : 0) |
      (extras !== undefined ? EXTRAS : 0) |
      (usualThread ? USUAL_THREAD : 0);
    this.name = tables.name(entry.fromName);
    this.textBytes = textUtf16 ? 2 * entry.text.length : textBytes;
    this.extras = extras;
    const refBytes = refAscii ? entry.ref.length : 2 * entry.ref.length;
    let size = 1 + varintBytes(refBytes) + refBytes + varintBytes(this.name) + varintBytes(this.textBytes) + this.textBytes;
    if (ownId) size += varintBytes(2 * entry.id.length) + 2 * entry.id.length;
    if (this.targets) {
      size += varintBytes(this.targets.length);
      for (const target of this.targets) size += varintBytes(target);
    }
    if (extras !== undefined) {
      const extrasBytes = Buffer.byteLength(extras, 'utf8');
      size += varintBytes(extrasBytes) + extrasBytes;
    }
    this.size = size;
  }

  write(into: Buffer): void {
    const { entry } = this;
    into[0] = this.format;
    let at = 1;
    if (this.format & REF_UTF16) at = writeString(into, at, entry.ref, 'utf16le', 2 * entry.ref.length);
    else at = writeAscii(into, at, entry.ref);
    at = writeVarint(into, at, this.name);
    if (this.format & OWN_ID) at = writeString(into, at, entry.id, 'utf16le', 2 * entry.id.length);
    if (this.targets) {
      at = writeVarint(into, at, this.targets.length);
      for (const target of this.targets) at = writeVarint(into, at, target);
    }
    const textEncoding = this.format & TEXT_UTF16 ? 'utf16le' : this.format & TEXT_ASCII ? 'latin1' : 'utf8';
    at = writeString(into, at, entry.text, textEncoding, this.textBytes);
    if (this.extras !== undefined) writeString(into, at, this.extras, 'utf8', Buffer.byteLength(this.extras, 'utf8'));
  }
}

/** The entry of a record written by EncodedMessage. */
export function decodeMessage(bytes: Buffer, columns: RecordColumns, tables: CodecTables): HistoryEntry {
  const format = bytes[0];
  const reader = new Reader(bytes, 1);
  const ref = reader.string(format & REF_UTF16 ? 'utf16le' : 'latin1');
  const fromName = tables.nameOf(reader.varint());
  const id = format & OWN_ID ? reader.string('utf16le') : `${tables.epoch}-${columns.seq}`;
  let to: HistoryEntry['to'];
  if (format & TO_LIST) {
    const count = reader.varint();
    to = [];
    for (let i = 0; i < count; i++) to.push(tables.identityOf(reader.varint()));
  } else {
    to = format & TO_ALL ? 'all' : columns.conv;
  }
  const text = reader.string(format & TEXT_UTF16 ? 'utf16le' : format & TEXT_ASCII ? 'latin1' : 'utf8');
  const extras = format & EXTRAS ? (JSON.parse(reader.string('utf8')) as Extras) : {};
  const entry: HistoryEntry = { id, seq: columns.seq, ts: columns.ts, from: tables.identityOf(columns.sender), fromName, to, text, ref };
  if (extras.code) entry.code = extras.code;
  if (format & USUAL_THREAD) entry.thread = `${tables.epoch}-${columns.parent}`;
  else if (extras.thread !== undefined) entry.thread = extras.thread;
  if (extras.files) entry.files = extras.files;
  if (extras.mentions) entry.mentions = extras.mentions;
  if (extras.urgent) entry.urgent = true;
  if (extras.attachments) entry.attachments = extras.attachments;
  if (extras.patch) entry.patch = extras.patch;
  if (extras.block) entry.block = extras.block;
  if (extras.problem) entry.problem = extras.problem;
  if (extras.links) entry.links = extras.links;
  if (extras.edited !== undefined) entry.edited = extras.edited;
  if (extras.deleted) entry.deleted = true;
  return entry;
}

type Extras = Partial<
  Pick<HistoryEntry, 'code' | 'thread' | 'files' | 'mentions' | 'urgent' | 'attachments' | 'patch' | 'block' | 'problem' | 'links' | 'edited' | 'deleted'>
>;

function extrasOf(entry: HistoryEntry, usualThread: boolean): string | undefined {
  const rich = entry.mentions !== undefined || entry.urgent !== undefined || entry.attachments !== undefined || hasCodeParts(entry);
  if (!entry.code && (entry.thread === undefined || usualThread) && !entry.files && !rich && entry.edited === undefined && !entry.deleted) return undefined;
  const extras: Extras = {};
  if (entry.code) extras.code = entry.code;
  if (entry.thread !== undefined && !usualThread) extras.thread = entry.thread;
  if (entry.files) extras.files = entry.files;
  if (entry.mentions) extras.mentions = entry.mentions;
  if (entry.urgent) extras.urgent = true;
  if (entry.attachments) extras.attachments = entry.attachments;
  Object.assign(extras, codeParts(entry));
  if (entry.edited !== undefined) extras.edited = entry.edited;
  if (entry.deleted) extras.deleted = true;
  // JSON.stringify escapes lone surrogates: the result is well-formed, so UTF-8 keeps it exactly.
  return JSON.stringify(extras);
}

/** Whether `id` is `<epoch>-<seq>` exactly (what the history names its messages). */
function isOwnId(id: string, epoch: string, seq: number): boolean {
  const digits = epoch.length + 1;
  // Past 15 digits a sum of digits may round: compared as text (no relay gets there).
  if (id.length > digits + 15) return id === `${epoch}-${seq}`;
  // No leading zero (but "0" itself).
  if (id.length <= digits || (id.charCodeAt(digits) === 0x30 && id.length > digits + 1)) return false;
  if (id.charCodeAt(epoch.length) !== 0x2d || !id.startsWith(epoch)) return false;
  let value = 0;
  for (let i = digits; i < id.length; i++) {
    const digit = id.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return false;
    value = value * 10 + digit;
  }
  return value === seq;
}

let lastPlain = '';
/**
 * Whether `text` is printable ASCII without `"` or `\`: then its JSON is itself in quotes. Asked
 * of each message's ref twice on the send path (its log line's size, its record): the last
 * answer is remembered.
 */
export function plainAscii(text: string): boolean {
  if (text === lastPlain) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  lastPlain = text;
  return true;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function identities(ids: readonly string[], tables: CodecTables): number[] {
  const out = new Array<number>(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = tables.identity(ids[i]);
  return out;
}

/** Whether `text` has no lone surrogate. */
function wellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff || i + 1 === text.length) return false;
    const next = text.charCodeAt(i + 1);
    if (next < 0xdc00 || next > 0xdfff) return false;
    i++;
  }
  return true;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes++;
  }
  return bytes;
}

function writeVarint(into: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    into[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  into[at++] = value;
  return at;
}

/** An ASCII string as its length and its bytes: short ones (refs) without a call into Node. */
function writeAscii(into: Buffer, at: number, value: string): number {
  at = writeVarint(into, at, value.length);
  for (let i = 0; i < value.length; i++) into[at + i] = value.charCodeAt(i);
  return at + value.length;
}

function writeString(into: Buffer, at: number, value: string, encoding: BufferEncoding, bytes: number): number {
  at = writeVarint(into, at, bytes);
  if (bytes > 0) into.write(value, at, bytes, encoding);
  return at + bytes;
}

class Reader {
  constructor(
    private readonly bytes: Buffer,
    private at: number,
  ) {}

  varint(): number {
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = this.bytes[this.at++];
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte & 0x80);
    return value;
  }

  string(encoding: BufferEncoding): string {
    const length = this.varint();
    const start = this.at;
    this.at += length;
    return this.bytes.toString(encoding, start, this.at);
  }
}
