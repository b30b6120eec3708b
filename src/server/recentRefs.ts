import { RecordRing } from './io/recordRing';

/**
 * The acks of the last `maxRefs` messages, by (sender identity, sender's ref), so a message
 * resent after a reconnect is delivered once and answered with its first ack.
 *
 * Kept off the JS heap (see RecordRing): each record is the identity and the ref as UTF-16 (exact
 * for any JS string, lone surrogates included, where UTF-8 is not) and the ack's JSON, one after
 * the other; a hash table of record numbers in typed arrays finds them. A
 * bucket's chain runs from the newest record to older ones, so a lookup stops at the first
 * record the ring has already dropped — dropping never has to unlink anything.
 */
export class RecentRefs {
  private readonly ring: RecordRing;
  private readonly hashes: Uint32Array;
  private readonly idLengths: Uint32Array;
  private readonly refLengths: Uint32Array;
  /** The next (older) record in the same bucket, or -1. */
  private readonly older: Float64Array;
  private readonly buckets: Float64Array;
  private readonly mask: number;

  constructor(maxRefs: number, maxBytes = 64 * 1024 * 1024) {
    this.ring = new RecordRing(maxRefs, maxBytes);
    this.hashes = new Uint32Array(maxRefs);
    this.idLengths = new Uint32Array(maxRefs);
    this.refLengths = new Uint32Array(maxRefs);
    this.older = new Float64Array(maxRefs);
    let buckets = 1024;
    while (buckets < maxRefs * 2) buckets *= 2;
    this.buckets = new Float64Array(buckets).fill(-1);
    this.mask = buckets - 1;
  }

  get size(): number {
    return this.ring.size;
  }

  /**
   * Remembers the ack's JSON (UTF-8 bytes) as the answer to a resend of (`clientId`, `ref`):
   * `ack` from `jsonStart` on, so the relay passes the ack frame it sends, header and all,
   * without making a view of its JSON for every message.
   */
  remember(clientId: string, ref: string, ack: Buffer, jsonStart = 0): void {
    const idBytes = 2 * clientId.length;
    const refBytes = 2 * ref.length;
    const n = this.ring.push(idBytes + refBytes + ack.length - jsonStart);
    if (n < 0) return; // larger than the whole store: a resend of it will be a new message
    const bytes = this.ring.store;
    const at = this.ring.offsetOf(n);
    bytes.write(clientId, at, idBytes, 'utf16le');
    bytes.write(ref, at + idBytes, refBytes, 'utf16le');
    ack.copy(bytes, at + idBytes + refBytes, jsonStart);
    const hash = hashPair(clientId, ref);
    const slot = this.ring.slotOf(n);
    this.hashes[slot] = hash;
    this.idLengths[slot] = idBytes;
    this.refLengths[slot] = refBytes;
    const bucket = hash & this.mask;
    this.older[slot] = this.buckets[bucket];
    this.buckets[bucket] = n;
  }

  /** The ack's JSON remembered for (`clientId`, `ref`), copied out of the store; or undefined. */
  get(clientId: string, ref: string): Buffer | undefined {
    const hash = hashPair(clientId, ref);
    const first = this.ring.first;
    for (let n = this.buckets[hash & this.mask]; n >= first; n = this.older[this.ring.slotOf(n)]) {
      const slot = this.ring.slotOf(n);
      if (this.hashes[slot] !== hash) continue;
      const record = this.ring.view(n);
      const idBytes = this.idLengths[slot];
      const refBytes = this.refLengths[slot];
      if (record.toString('utf16le', 0, idBytes) !== clientId || record.toString('utf16le', idBytes, idBytes + refBytes) !== ref) continue;
      return Buffer.from(record.subarray(idBytes + refBytes));
    }
    return undefined;
  }
}

/** FNV-1a over both strings' UTF-16 code units and a separator between them (a match is
 *  always confirmed on the stored bytes). */
function hashPair(a: string, b: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0xffff, 0x01000193);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
