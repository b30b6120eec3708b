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
 * unless it holds a lone surrogate (UTF-8 cannot), then UTF-16, as a ref is unless it is ASCII.
 */

const REF_UTF16 = 1;
const OWN_ID = 2;
const TO_ALL = 4;
const TO_LIST = 8;
const TEXT_UTF16 = 16;
const EXTRAS = 32;
/** The thread is `<epoch>-<parent seq>`, the parent seq being in the history's columns. */
const USUAL_THREAD = 64;

const ASCII = /^[\x00-\x7f]*$/;
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
  private readonly targets: number[] | undefined;
  private readonly textBytes: number;
  private readonly extras: string | undefined;

  constructor(
    private readonly entry: HistoryEntry,
    parent: number,
    tables: CodecTables,
  ) {
    const refAscii = ASCII.test(entry.ref);
    const textUtf16 = SURROGATE.test(entry.text) && !wellFormed(entry.text);
    const ownId = entry.id !== `${tables.epoch}-${entry.seq}`;
    const usualThread = entry.thread !== undefined && parent > 0 && entry.thread === `${tables.epoch}-${parent}`;
    const extras = extrasOf(entry, usualThread);
    this.targets = Array.isArray(entry.to) ? entry.to.map((id) => tables.identity(id)) : undefined;
    this.format =
      (refAscii ? 0 : REF_UTF16) |
      (ownId ? OWN_ID : 0) |
      (entry.to === 'all' ? TO_ALL : 0) |
      (this.targets ? TO_LIST : 0) |
      (textUtf16 ? TEXT_UTF16 : 0) |
      (extras !== undefined ? EXTRAS : 0) |
      (usualThread ? USUAL_THREAD : 0);
    this.name = tables.name(entry.fromName);
    this.textBytes = textUtf16 ? 2 * entry.text.length : Buffer.byteLength(entry.text, 'utf8');
    this.extras = extras;
    const refBytes = refAscii ? entry.ref.length : 2 * entry.ref.length;
    let size = 1 + varintBytes(refBytes) + refBytes + varintBytes(this.name) + varintBytes(this.textBytes) + this.textBytes;
    if (ownId) size += varintBytes(2 * entry.id.length) + 2 * entry.id.length;
    if (this.targets) size += this.targets.reduce((sum, t) => sum + varintBytes(t), varintBytes(this.targets.length));
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
    const refUtf16 = (this.format & REF_UTF16) !== 0;
    at = writeString(into, at, entry.ref, refUtf16 ? 'utf16le' : 'latin1', refUtf16 ? 2 * entry.ref.length : entry.ref.length);
    at = writeVarint(into, at, this.name);
    if (this.format & OWN_ID) at = writeString(into, at, entry.id, 'utf16le', 2 * entry.id.length);
    if (this.targets) {
      at = writeVarint(into, at, this.targets.length);
      for (const target of this.targets) at = writeVarint(into, at, target);
    }
    at = writeString(into, at, entry.text, this.format & TEXT_UTF16 ? 'utf16le' : 'utf8', this.textBytes);
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
  const text = reader.string(format & TEXT_UTF16 ? 'utf16le' : 'utf8');
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
  if (extras.edited !== undefined) entry.edited = extras.edited;
  if (extras.deleted) entry.deleted = true;
  return entry;
}

type Extras = Partial<
  Pick<HistoryEntry, 'code' | 'thread' | 'files' | 'mentions' | 'urgent' | 'attachments' | 'patch' | 'block' | 'problem' | 'edited' | 'deleted'>
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
