import { strict as assert } from 'node:assert';
import { conversationKeyOf } from '../../../src/net/protocol/conversationKeys';
import { HistoryEntry } from '../../../src/server/historyEntry';
import { DELETED, HistoryRecords, logLineBytes, logLineOf, UPDATE } from '../../../src/server/historyRecords';
import { chatMessageJson } from '../../../src/server/io/hotFrames';
import { Prng } from '../helpers/prng';
import { randomRichParts } from '../helpers/richParts';
import { randomCodeParts } from '../helpers/codeParts';

/**
 * The history's records give back exactly what was held (in their compact form, see
 * recordCodec.ts): hostile text, lone surrogates, ids of another epoch, every optional field;
 * and their log lines are the entries' own, counted against the byte bound. Held as their log
 * lines (rawRecords.ts, the newest while a bound allows), they read the same as compact ones.
 */

const EPOCH = 'Ep0ch_-x';
const IDS = ['A', 'B', 'C', 'D', 'E'].map((c) => c.repeat(22));
const NASTY = ['"', '\\', '\n', '\u0000', '\u2028', '\ud800', '\udfff', '😀', 'é', '日本', '\u202e', '```'];

/** Random text, hostile now and then; a third of it printable ASCII only (the common case, coded apart). */
function text(rng: Prng, max: number): string {
  const nasty = rng.chance(0.67) ? 0.15 : 0;
  let out = '';
  for (let i = rng.int(0, max); i > 0; i--) out += rng.chance(nasty) ? rng.pick(NASTY) : String.fromCharCode(rng.int(0x20, 0x7e));
  return out;
}

/** An id like the history's own (`<epoch>-<seq>`) but not quite: each must be kept as it is. */
function nearlyOwnId(rng: Prng, seq: number): string {
  return rng.pick([
    `${EPOCH}-0${seq}`,
    `${EPOCH}-${seq}0`,
    `${EPOCH}${seq}`,
    `${EPOCH}-${seq + 1}`,
    `${EPOCH}-`,
    `${EPOCH}-${seq}x`,
    `${EPOCH}x-${seq}`,
    `x${EPOCH}-${seq}`,
  ]);
}

/** With `rich`, mentions, urgency and attachments now and then (they make sizes vary widely). */
function randomEntry(rng: Prng, seq: number, rich = true): HistoryEntry {
  const to: HistoryEntry['to'] = rng.chance(0.3)
    ? 'all'
    : rng.chance(0.3)
      ? `#${rng.pick(['general', 'c1', 'Ops-2'])}`
      : Array.from({ length: rng.int(1, 3) }, () => rng.pick(IDS));
  const parent = rng.int(1, seq);
  return {
    id: rng.chance(0.8) ? `${EPOCH}-${seq}` : rng.chance(0.5) ? nearlyOwnId(rng, seq) : `other-${seq}${text(rng, 3)}`,
    seq,
    ts: 1_700_000_000_000 + seq * 1000,
    from: rng.pick(IDS),
    fromName: text(rng, 12) || 'n',
    to,
    text: text(rng, 200),
    ...(rng.chance(0.2) ? { code: { path: text(rng, 20) || 'p', startLine: 1, endLine: rng.int(1, 50), language: text(rng, 6) } } : {}),
    ...(rng.chance(0.3) ? { thread: rng.chance(0.7) ? `${EPOCH}-${parent}` : rng.chance(0.5) ? nearlyOwnId(rng, parent) : `old-${parent}` } : {}),
    ...(rng.chance(0.2) ? { files: [{ name: text(rng, 20) || 'f', size: rng.int(0, 2 ** 40) }] } : {}),
    ...(rich ? randomRichParts(rng, IDS, (max) => text(rng, max)) : {}),
    ...(rich ? randomCodeParts(rng, (max) => text(rng, max), { links: true }) : {}),
    ...(rng.chance(0.1) ? { edited: 1_700_000_000_000 + rng.int(0, 1e9) } : {}),
    ...(rng.chance(0.05) ? { deleted: true as const } : {}),
    ref: rng.chance(0.8) ? `r${seq}` : text(rng, 10) || 'r',
  };
}

describe('HistoryRecords', () => {
  it('gives back exactly the entries it held, with their log lines and sizes (3,000 seeded entries, hostile text)', () => {
    const rng = new Prng(2026);
    const records = new HistoryRecords(10_000, 1 << 30, EPOCH);
    const held: HistoryEntry[] = [];
    for (let seq = 1; seq <= 3000; seq++) {
      const entry = randomEntry(rng, seq);
      const n = records.holdMessage(entry, logLineBytes(entry, rng.chance(0.5) ? Buffer.from(chatMessageJson(entry)) : undefined));
      assert.equal(n, seq - 1);
      held.push(entry);
    }
    let lineBytes = 0;
    for (const [n, entry] of held.entries()) {
      assert.deepEqual(records.entry(n), entry, `entry ${n}`);
      assert.equal(records.logLine(n), logLineOf(entry));
      const { ref, ...rest } = JSON.parse(records.logLine(n)) as HistoryEntry;
      assert.deepEqual({ ...rest, ref }, entry, `log line ${n} parses back to the entry`);
      assert.equal(records.convKey(records.convOf(n)), conversationKeyOf(entry.to, entry.from));
      lineBytes += Buffer.byteLength(logLineOf(entry));
    }
    assert.equal(records.bytes, lineBytes, 'counted as their lines in the log');
    assert.ok(records.heldBytes < lineBytes, `held in fewer bytes than the log (${records.heldBytes} of ${lineBytes})`);
  });

  it('keeps update records beside messages, found by seq, in their target’s conversation', () => {
    const records = new HistoryRecords(100, 1 << 20, EPOCH);
    const rng = new Prng(3);
    const m1 = randomEntry(rng, 1);
    const m3 = { ...randomEntry(rng, 3), to: '#ops' };
    records.holdMessage(m1, logLineBytes(m1));
    records.holdMessage(m3, logLineBytes(m3));
    const u = records.holdUpdate(5, 1234, 3);
    const orphan = records.holdUpdate(6, 1235, 2);
    assert.deepEqual([records.isUpdate(u), records.isUpdate(0)], [true, false]);
    assert.deepEqual([records.recordOf(5), records.recordOf(3), records.recordOf(4), records.recordOf(9)], [u, 1, -1, -1]);
    assert.equal(records.convKey(records.convOf(u)), '#ops');
    assert.equal(records.convOf(orphan), -1, 'the update of a message not held belongs nowhere');
    assert.equal(records.logLine(u), '{"seq":5,"ts":1234,"update":3}\n');
    assert.deepEqual([records.firstAfter(0), records.firstAfter(3), records.firstAfter(5), records.firstAfter(6)], [0, 2, 3, 4]);
  });

  it('drops the oldest records past the count and the byte bound, and refuses one larger than the bound', () => {
    const rng = new Prng(8);
    const entries = Array.from({ length: 40 }, (_, i) => ({ ...randomEntry(rng, i + 1, false), text: 'x'.repeat(100) }));
    const size = Buffer.byteLength(logLineOf(entries[0]));
    const records = new HistoryRecords(1000, 10 * size + 300, EPOCH);
    for (const entry of entries) records.holdMessage(entry, Buffer.byteLength(logLineOf(entry)));
    assert.ok(records.bytes <= 10 * size + 300 && records.size >= 9, `${records.size} records in ${records.bytes} bytes`);
    assert.deepEqual(records.entry(records.end - 1), entries[39]);
    const huge = { ...randomEntry(rng, 41, false), text: 'y'.repeat(20 * size) };
    assert.equal(records.holdMessage(huge, Buffer.byteLength(logLineOf(huge))), -1);
    assert.deepEqual(records.entry(records.end - 1), entries[39], 'what it holds stays');
    const few = new HistoryRecords(5, 1 << 20, EPOCH);
    for (const entry of entries) few.holdMessage(entry, Buffer.byteLength(logLineOf(entry)));
    assert.deepEqual([few.first, few.end, few.size], [35, 40, 5]);
    assert.equal(
      few.bytes,
      entries.slice(35).reduce((sum, e) => sum + Buffer.byteLength(logLineOf(e)), 0),
    );
  });
  it('reads messages held as their log lines exactly as compact ones, through retention and updates (seeded runs)', () => {
    for (let run = 0; run < 12; run++) {
      const rng = new Prng(500 + run);
      const maxRecords = rng.pick([3, 20, 200, 10_000]);
      const maxBytes = rng.pick([2_000, 20_000, 1 << 20]);
      // A raw bound of a few records to none, so records change form back and forth.
      const rawMaxBytes = rng.pick([0, 1_500, 6_000, 1 << 20]);
      const compact = new HistoryRecords(maxRecords, maxBytes, EPOCH, 0);
      const mixed = new HistoryRecords(maxRecords, maxBytes, EPOCH, rawMaxBytes);
      let seq = 0;
      for (let step = 0; step < 1_500; step++) {
        seq += rng.chance(0.1) ? rng.int(2, 5) : 1; // gaps, as a cluster's stream has
        if (rng.chance(0.15) && seq > 1) {
          const target = rng.int(1, seq - 1);
          assert.equal(mixed.holdUpdate(seq, 1_700_000_000_000 + seq * 1000, target), compact.holdUpdate(seq, 1_700_000_000_000 + seq * 1000, target));
        } else {
          const entry = randomEntry(rng, seq, rng.chance(0.5));
          const json = Buffer.from(chatMessageJson(entry));
          const lineBytes = logLineBytes(entry, json);
          assert.equal(mixed.holdMessage(entry, lineBytes, rng.chance(0.9) ? json : undefined), compact.holdMessage(entry, lineBytes), `step ${step}`);
        }
        if (rng.chance(0.02)) for (let k = rng.int(1, 5); k > 0; k--) [compact, mixed].forEach((r) => r.shift());
        if (rng.chance(0.05) || step === 1_499) sameReads(compact, mixed, `run ${run} step ${step}`);
      }
      assert.ok(mixed.heldBytes > compact.heldBytes || rawMaxBytes === 0, 'some were held raw');
    }
  });
});

/** Every read the history's paths make of `b` gives what it gives of `a`. */
function sameReads(a: HistoryRecords, b: HistoryRecords, at: string): void {
  assert.deepEqual([b.first, b.end, b.size, b.bytes], [a.first, a.end, a.size, a.bytes], `${at}: bounds`);
  for (let n = a.first; n < a.end; n++) {
    const what = `${at}: record ${n}`;
    assert.deepEqual([b.seqOf(n), b.timeOf(n), b.linkOf(n), b.isUpdate(n)], [a.seqOf(n), a.timeOf(n), a.linkOf(n), a.isUpdate(n)], what);
    assert.equal(b.flagsOf(n) & (UPDATE | DELETED), a.flagsOf(n) & (UPDATE | DELETED), what);
    assert.equal(b.convOf(n) < 0 ? undefined : b.convKey(b.convOf(n)), a.convOf(n) < 0 ? undefined : a.convKey(a.convOf(n)), what);
    assert.equal(b.logLine(n), a.logLine(n), what);
    if (a.isUpdate(n)) continue;
    assert.equal(b.identityOf(b.senderOf(n)), a.identityOf(a.senderOf(n)), what);
    assert.deepEqual(b.entry(n), a.entry(n), what);
    assert.equal(b.recordOf(a.seqOf(n)), n, what);
    assert.equal(b.firstAtOrAfterTime(a.timeOf(n)), a.firstAtOrAfterTime(a.timeOf(n)), what);
  }
  for (let conv = 0; conv < a.convCount; conv++) assert.equal(b.convIndex(a.convKey(conv)) >= 0, true, `${at}: conversation ${a.convKey(conv)}`);
}
