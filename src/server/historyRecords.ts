import { conversationKeyOf, seqOfMessageId } from '../net/protocol/conversationKeys';
import { HistoryEntry, updateRecordJson } from './historyEntry';
import { chatMessageJson, MESSAGE_JSON_START } from './io/hotFrames';
import { RecordColumn, RecordRing } from './io/recordRing';
import { RAW_MAX_BYTES, readRawRecord, writeRawRecord } from './rawRecords';
import { CodecTables, decodeMessage, EncodedMessage, plainAscii } from './recordCodec';

/** What a record is, in its flags. */
export const UPDATE = 1;
/** A message stored deleted (compaction wrote its tombstone). */
export const DELETED = 16;
/** A message held as its log line (rawRecords.ts), not in the compact form. */
const RAW = 2;

/** Slots the columns start with: they double up to the retention count as records arrive. */
const FIRST_SLOTS = 1024;

/**
 * The records the history holds, in a RecordRing, off the JS heap (see there for why): a
 * message record in the compact form of recordCodec.ts, an update record as one byte (all of it
 * is in the columns). What the history's paths filter on (seq, time, sender, conversation,
 * thread parent or update target, kind) sits in typed arrays beside it, identities, names and
 * conversations as small numbers.
 *
 * Records are numbered in the order they were held (see RecordRing); seqs and numbers rise
 * together, so a seq is found by binary search. Retention by bytes counts each record as its
 * line in the log (`bytes`), so that a bound in megabytes is one on the log's size.
 */
/** Identity numbers stay far below this: a pair of them is one safe integer. */
const PAIR_BASE = 2 ** 26;

export class HistoryRecords implements CodecTables {
  /** Direct conversations' indexes by the pair of their identities' numbers (convOfMessage). */
  private readonly pairConvs = new Map<number, number>();
  private readonly ring: RecordRing;
  private readonly seqs: RecordColumn<Float64Array>;
  private readonly times: RecordColumn<Float64Array>;
  private readonly senders: RecordColumn<Int32Array>;
  private readonly convs: RecordColumn<Int32Array>;
  /** A reply's thread parent (seq), an update's target (seq), else 0. */
  private readonly links: RecordColumn<Float64Array>;
  /** The size of the record's line in the log. */
  private readonly lineBytes: RecordColumn<Uint32Array>;
  private readonly flags: RecordColumn<Uint8Array>;
  private lineTotal = 0;
  /** Bytes of the records held as their log line (RAW), up to RAW_MAX_BYTES. */
  private rawBytes = 0;
  private readonly identities = new Map<string, number>();
  private readonly identityList: string[] = [];
  private readonly names = new Map<string, number>();
  private readonly nameList: string[] = [];
  private readonly convIndexes = new Map<string, number>();
  private readonly convKeys: string[] = [];

  constructor(
    maxRecords: number,
    private readonly maxBytes: number,
    readonly epoch: string,
    private readonly rawMaxBytes = RAW_MAX_BYTES,
  ) {
    // The compact records are well under their lines' size, and the ring has room for twice
    // that: its own bound (which may drop a record more than the bytes need, as a record never
    // wraps) does not bind before the lines' does. Its offsets are 32-bit.
    this.ring = new RecordRing(maxRecords, Math.min(2 * maxBytes, 0xffffffff), undefined, undefined, FIRST_SLOTS);
    this.seqs = this.ring.column((n) => new Float64Array(n));
    this.times = this.ring.column((n) => new Float64Array(n));
    this.senders = this.ring.column((n) => new Int32Array(n));
    this.convs = this.ring.column((n) => new Int32Array(n));
    this.links = this.ring.column((n) => new Float64Array(n));
    this.lineBytes = this.ring.column((n) => new Uint32Array(n));
    this.flags = this.ring.column((n) => new Uint8Array(n));
  }

  /** The oldest record held. */
  get first(): number {
    return this.ring.first;
  }

  /** The number the next record gets. */
  get end(): number {
    return this.ring.end;
  }

  get size(): number {
    return this.ring.size;
  }

  /** The size of the records held as lines of the log (what retention by bytes bounds). */
  get bytes(): number {
    return this.lineTotal;
  }

  /** Bytes of memory the records take (their compact form). */
  get heldBytes(): number {
    return this.ring.bytes;
  }

  /**
   * Holds a message whose log line is `lineBytes` long, dropping the oldest records past the
   * bounds; its record number, or -1 when it alone is more than the history may hold. With its
   * frame's JSON (`messageJson`, the live frame's) it is held as its log line while the raw
   * records' bound allows (rawRecords.ts), else in the compact form.
   */
  holdMessage(entry: HistoryEntry, lineBytes: number, messageJson?: Buffer): number {
    const parent = entry.thread !== undefined ? (seqOfMessageId(entry.thread) ?? 0) : 0;
    const raw = messageJson !== undefined && this.rawBytes + lineBytes <= this.rawMaxBytes;
    const encoded = raw ? undefined : new EncodedMessage(entry, parent, this);
    const n = this.push(encoded ? encoded.size : lineBytes, lineBytes);
    if (n < 0) return -1;
    if (encoded) encoded.write(this.ring.view(n));
    else writeRawRecord(this.ring.store, this.ring.offsetOf(n), entry, messageJson!);
    const slot = this.ring.slotOf(n);
    this.seqs.values[slot] = entry.seq;
    this.times.values[slot] = entry.ts;
    const sender = this.identity(entry.from);
    this.senders.values[slot] = sender;
    const to = entry.to;
    const targets = encoded ? encoded.targets : Array.isArray(to) && to.length === 1 ? [this.identity(to[0])] : undefined;
    this.convs.values[slot] = this.convOfMessage(entry, sender, targets);
    this.links.values[slot] = parent;
    // What search alone needs (files, code) is found when the words are indexed, off the send path.
    this.flags.values[slot] = (entry.deleted ? DELETED : 0) | (raw ? RAW : 0);
    if (raw) this.rawBytes += lineBytes;
    return n;
  }

  /** Holds an update record of the message `target` (a seq); its record number, or -1. */
  holdUpdate(seq: number, ts: number, target: number): number {
    const targetRecord = this.recordOf(target);
    const conv = targetRecord < 0 ? -1 : this.convs.values[this.ring.slotOf(targetRecord)];
    const n = this.push(1, updateRecordJson(seq, ts, target).length + 1);
    if (n < 0) return -1;
    this.ring.view(n)[0] = 0;
    const slot = this.ring.slotOf(n);
    this.seqs.values[slot] = seq;
    this.times.values[slot] = ts;
    this.senders.values[slot] = -1;
    this.convs.values[slot] = conv;
    this.links.values[slot] = target;
    this.flags.values[slot] = UPDATE;
    return n;
  }

  /** Drops the oldest record. */
  shift(): void {
    if (this.ring.size === 0) return;
    this.forget(this.ring.first);
    this.ring.shift();
  }

  seqOf(n: number): number {
    return this.seqs.values[this.ring.slotOf(n)];
  }

  timeOf(n: number): number {
    return this.times.values[this.ring.slotOf(n)];
  }

  senderOf(n: number): number {
    return this.senders.values[this.ring.slotOf(n)];
  }

  /** The record's conversation (an index: convKey()), -1 for an update of a message not held. */
  convOf(n: number): number {
    return this.convs.values[this.ring.slotOf(n)];
  }

  /** A reply's thread parent (seq), an update's target (seq), or 0. */
  linkOf(n: number): number {
    return this.links.values[this.ring.slotOf(n)];
  }

  flagsOf(n: number): number {
    return this.flags.values[this.ring.slotOf(n)];
  }

  isUpdate(n: number): boolean {
    return (this.flags.values[this.ring.slotOf(n)] & UPDATE) !== 0;
  }

  /** The record holding `seq`, or -1. */
  recordOf(seq: number): number {
    const n = this.firstAfter(seq - 1);
    return n < this.ring.end && this.seqOf(n) === seq ? n : -1;
  }

  /** The first record with a seq above `seq` (`end` when there is none). */
  firstAfter(seq: number): number {
    let lo = this.ring.first;
    let hi = this.ring.end;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.seqOf(mid) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first record stamped at or after `ts`. Stamps rise with seqs unless the relay's clock
   *  went back; then this is close, and whoever needs it exact checks each record's time too. */
  firstAtOrAfterTime(ts: number): number {
    let lo = this.ring.first;
    let hi = this.ring.end;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.timeOf(mid) < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A message record, decoded. */
  entry(n: number): HistoryEntry {
    const slot = this.ring.slotOf(n);
    if (this.flags.values[slot] & RAW) return readRawRecord(this.ring.view(n));
    const columns = {
      seq: this.seqs.values[slot],
      ts: this.times.values[slot],
      sender: this.senders.values[slot],
      conv: this.convKeys[this.convs.values[slot]],
      parent: this.links.values[slot],
    };
    return decodeMessage(this.ring.view(n), columns, this);
  }

  /** The record's line in the log: an update's; a message's JSON with the ref first. */
  logLine(n: number): string {
    const slot = this.ring.slotOf(n);
    if (this.flags.values[slot] & UPDATE) return updateRecordJson(this.seqs.values[slot], this.times.values[slot], this.links.values[slot]) + '\n';
    if (this.flags.values[slot] & RAW) return this.ring.view(n).toString('utf8');
    return logLineOf(this.entry(n));
  }

  convKey(index: number): string {
    return this.convKeys[index];
  }

  /** The index of a conversation key, or -1 when no record held ever was in it. */
  convIndex(key: string): number {
    return this.convIndexes.get(key) ?? -1;
  }

  /** How many conversation indexes there are (each below this). */
  get convCount(): number {
    return this.convKeys.length;
  }

  /** The index of an identity that sent a held message, or -1. */
  identityIndex(clientId: string): number {
    return this.identities.get(clientId) ?? -1;
  }

  /** An identity's number (given the first time; see CodecTables). */
  identity(clientId: string): number {
    let n = this.identities.get(clientId);
    if (n === undefined) {
      this.identities.set(clientId, (n = this.identityList.length));
      this.identityList.push(clientId);
    }
    return n;
  }

  identityOf(index: number): string {
    return this.identityList[index];
  }

  name(name: string): number {
    let n = this.names.get(name);
    if (n === undefined) {
      this.names.set(name, (n = this.nameList.length));
      this.nameList.push(name);
    }
    return n;
  }

  nameOf(index: number): string {
    return this.nameList[index];
  }

  /** Makes room for a record (dropping the oldest past the bounds) and numbers it; -1 when it
   *  alone is more than the history may hold. */
  private push(size: number, lineBytes: number): number {
    if (lineBytes > this.maxBytes) return -1;
    while (this.ring.size > 0 && (this.lineTotal + lineBytes > this.maxBytes || this.ring.size === this.ring.maxRecords)) this.shift();
    const first = this.ring.first;
    const n = this.ring.push(size);
    // The ring dropped more to place it (a record never wraps): their lines no longer count.
    // (Their values are still in their slots: the new record's is another.)
    for (let dropped = first; dropped < this.ring.first; dropped++) this.forget(dropped);
    if (n < 0) return -1;
    this.lineBytes.values[this.ring.slotOf(n)] = lineBytes;
    this.lineTotal += lineBytes;
    return n;
  }

  /** Takes a record that is being dropped out of the bytes counted. */
  private forget(n: number): void {
    const slot = this.ring.slotOf(n);
    this.lineTotal -= this.lineBytes.values[slot];
    if (this.flags.values[slot] & RAW) this.rawBytes -= this.lineBytes.values[slot];
  }

  /** The conversation of a message (`targets`: its list's identity numbers). A direct message's
   *  key is a sort and a join of two long ids, the largest cost of holding one: its index is
   *  remembered by the pair of identity numbers. */
  private convOfMessage(entry: HistoryEntry, sender: number, targets: readonly number[] | undefined): number {
    const to = entry.to;
    if (typeof to === 'string' || to.length !== 1 || targets === undefined) return this.convIndexFor(conversationKeyOf(to, entry.from));
    const other = targets[0];
    const pair = sender < other ? sender * PAIR_BASE + other : other * PAIR_BASE + sender;
    let conv = this.pairConvs.get(pair);
    if (conv === undefined) this.pairConvs.set(pair, (conv = this.convIndexFor(conversationKeyOf(to, entry.from))));
    return conv;
  }

  private convIndexFor(key: string): number {
    let n = this.convIndexes.get(key);
    if (n === undefined) {
      n = this.convKeys.length;
      this.convIndexes.set(key, n);
      this.convKeys.push(key);
    }
    return n;
  }
}

/** A message's line in the log: its JSON as it goes out, with the ref in place of `"t":"message"`. */
export function logLineOf(entry: HistoryEntry): string {
  return '{"ref":' + JSON.stringify(entry.ref) + ',' + chatMessageJson(entry).slice(MESSAGE_JSON_START.length) + '\n';
}

/** The size of `logLineOf(entry)`, from the message's JSON when the caller has it. */
export function logLineBytes(entry: HistoryEntry, messageJson?: Buffer): number {
  const json = messageJson ? messageJson.length : Buffer.byteLength(chatMessageJson(entry), 'utf8');
  return json - MESSAGE_JSON_START.length + jsonStringBytes(entry.ref) + '{"ref":,\n'.length;
}

/** The UTF-8 size of `JSON.stringify(text)`: counted for plain ASCII (a ref nearly always is,
 *  and this is on every send), else measured. */
function jsonStringBytes(text: string): number {
  return plainAscii(text) ? text.length + 2 : Buffer.byteLength(JSON.stringify(text), 'utf8');
}
