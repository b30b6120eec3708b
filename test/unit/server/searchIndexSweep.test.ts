import { strict as assert } from 'node:assert';
import type { RecordCursor } from '../../../src/server/searchCursors';
import { SearchIndex } from '../../../src/server/searchIndex';
import { wordsOf } from '../../../src/server/searchText';
import { Prng } from '../helpers/prng';

/**
 * The search index answers exactly while retention drops records and the index sheds them a
 * slice at a time (indexSweep.ts): every cursor gives, from the oldest record held on, exactly
 * the records a brute-force reading of what was indexed gives, at every point of a sweep — with
 * words that come back after all their records were dropped, conversations and senders whose
 * terms were released and come back (the index remembers their terms: it must forget them),
 * edits' side lists, deleted messages, threads, and words indexed well after their records'
 * places (as the history does off the send path).
 */

interface ModelRecord {
  conv: number;
  thread: number;
  sender: number;
  text: string;
  hasCode: boolean;
  deleted: boolean;
  /** Whether its content (sender, words, code) was indexed yet. */
  content: boolean;
  edits: { text: string; hasCode: boolean }[];
}

const STEMS = ['a', 'ab', 'abc', 'de', 'dep', 'x', 'zeta', 'café', '日本'];
const PREFIXES = ['a', 'ab', 'abc', 'd', 'de', 'dep', 'x', 'z', 'zeta', 'caf', '日', 'u', 'u1', 'r', 'rare'];

function enumerate(cursor: RecordCursor | undefined, high: number, low: number): number[] {
  const out: number[] = [];
  if (!cursor) return out;
  for (let x = high; x >= low;) {
    const n = cursor.prev(x);
    if (n < low) break;
    out.push(n);
    x = n - 1;
  }
  return out;
}

function ascending(next: () => number): number[] {
  const out: number[] = [];
  for (let n = next(); n >= 0; n = next()) out.push(n);
  return out;
}

class Harness {
  readonly index = new SearchIndex({ after: 300, sliceWork: 6 });
  readonly records: ModelRecord[] = [];
  first = 0;
  contentEnd = 0;

  constructor(private readonly rng: Prng) {}

  get end(): number {
    return this.records.length;
  }

  /** Holds one more record (its place at once, as the history does). */
  hold(): void {
    const { rng } = this;
    const n = this.end;
    // A window of busy conversations moving on, and a rare one (and a rare sender) whose term
    // dies between their messages.
    const conv = rng.chance(0.0015) ? 99 : Math.floor(n / 400) + rng.int(0, 3);
    const sender = rng.chance(0.0015) ? 77 : rng.int(0, 5);
    const thread = rng.chance(0.1) ? 1 + rng.int(Math.max(0, n - 500), n) : 0;
    const words = Array.from({ length: rng.int(1, 5) }, () => rng.pick(STEMS) + (rng.chance(0.3) ? '' : rng.int(0, 40).toString(36)));
    if (rng.chance(0.3)) words.push(`u${n}`); // a word of its own: the dictionary turns over
    if (rng.chance(0.005)) words.push('rareword'); // dies and comes back
    const hasCode = rng.chance(0.05);
    const text = (rng.chance(0.2) ? words.join(', ').toUpperCase() : words.join(' ')) + (hasCode ? '\n```\nx = 1\n```' : '');
    this.records.push({ conv, thread, sender, text, hasCode, deleted: rng.chance(0.04), content: false, edits: [] });
    this.index.addPlace(n, conv, thread);
  }

  /** Indexes the words of records up to `to` (not those retention dropped meanwhile). */
  catchUp(to: number): void {
    for (let n = Math.max(this.contentEnd, this.first); n < to; n++) {
      const r = this.records[n];
      r.content = true;
      this.index.addContent(n, { text: r.text, ...(r.deleted ? { deleted: true as const } : {}) }, { sender: r.sender, hasCode: r.hasCode });
    }
    this.contentEnd = Math.max(this.contentEnd, to);
  }

  edit(): void {
    if (this.contentEnd <= this.first) return;
    const n = this.rng.int(this.first, this.contentEnd - 1);
    const r = this.records[n];
    if (r.deleted || !r.content) return;
    const edit = { text: `edited ${this.rng.pick(STEMS)}${this.rng.int(0, 9)} e${n}`, hasCode: this.rng.chance(0.2) };
    r.edits.push(edit);
    this.index.addEdit(n, edit.text, edit.hasCode);
  }

  drop(first: number): void {
    this.first = Math.max(this.first, first);
    this.index.dropped(this.first);
  }

  /** What the index must find, from the records held (newest first). */
  expected(matches: (r: ModelRecord) => boolean): number[] {
    const out: number[] = [];
    for (let n = this.end - 1; n >= this.first; n--) if (matches(this.records[n])) out.push(n);
    return out;
  }

  check(label: string): void {
    const { index, first, end } = this;
    const high = end - 1;
    const wordsIn = (r: ModelRecord) =>
      r.content && !r.deleted ? [...wordsOf(r.text), ...r.edits.flatMap((e) => wordsOf(e.text))] : r.edits.flatMap((e) => wordsOf(e.text));
    for (const prefix of PREFIXES) {
      assert.deepEqual(
        enumerate(index.wordCursor(prefix, first), high, first),
        this.expected((r) => wordsIn(r).some((w) => w.startsWith(prefix))),
        `${label}: words starting with ${prefix}`,
      );
    }
    for (const word of ['ab', 'de1', 'rareword', `u${end - 1}`, `u${first}`, 'edited']) {
      assert.deepEqual(
        enumerate(index.exactWordCursor(word), high, first),
        this.expected((r) => wordsIn(r).includes(word)),
        `${label}: the word ${word}`,
      );
    }
    const convs = [...new Set([99, ...this.records.slice(first).map((r) => r.conv)])];
    for (const conv of convs) {
      assert.deepEqual(
        enumerate(index.conversationCursor([conv], first), high, first),
        this.expected((r) => r.conv === conv),
        `${label}: conversation ${conv}`,
      );
      assert.deepEqual(
        enumerate(index.listCursor(conv, undefined), high, first),
        this.expected((r) => r.conv === conv),
        `${label}: list of conversation ${conv}`,
      );
      assert.deepEqual(
        ascending(index.listAscending(conv, undefined, first)),
        this.expected((r) => r.conv === conv).reverse(),
        `${label}: conversation ${conv} rising`,
      );
    }
    for (const sender of [0, 3, 77]) {
      assert.deepEqual(
        enumerate(index.senderCursor([sender], first), high, first),
        this.expected((r) => r.content && !r.deleted && r.sender === sender),
        `${label}: sender ${sender}`,
      );
    }
    assert.deepEqual(
      enumerate(index.hasCodeCursor(), high, first),
      this.expected((r) => (r.content && !r.deleted && r.hasCode) || r.edits.some((e) => e.hasCode)),
      `${label}: has code`,
    );
    const threads = [...new Set(this.records.slice(Math.max(first, end - 300)).map((r) => r.thread))].filter((t) => t > 0);
    for (const thread of threads.slice(0, 10)) {
      assert.deepEqual(
        enumerate(index.listCursor(0, thread), high, first),
        this.expected((r) => r.thread === thread),
        `${label}: thread ${thread}`,
      );
    }
  }
}

describe('SearchIndex under retention (the sweep)', function () {
  it('answers exactly at every point of its sweeps, over seeded runs', function () {
    this.timeout(60_000);
    for (const seed of [1, 2, 3]) {
      const rng = new Prng(seed);
      const h = new Harness(rng);
      const held = 700;
      const everMade = new Set<string>();
      let checks = 0;
      for (let step = 0; step < 6000; step++) {
        h.hold();
        if (rng.chance(0.05)) h.catchUp(rng.int(h.contentEnd, h.end));
        if (rng.chance(0.03)) h.edit();
        // Retention drops the oldest, unevenly (a batch at a time, or by age in a burst).
        if (h.end - h.first > held) h.drop(h.end - held + (rng.chance(0.01) ? rng.int(0, held - 1) : 0));
        if (step % 37 === 0) {
          h.check(`seed ${seed} step ${step}`);
          checks++;
        }
      }
      h.catchUp(h.end);
      h.check(`seed ${seed} at the end`);
      assert.ok(checks > 100);
      // The sweeps released the terms of what was dropped: after one more, far fewer are left
      // than were ever made.
      for (let i = 0; i < 5000; i++) h.drop(h.end - 1);
      h.check(`seed ${seed} after a last sweep`);
      for (const r of h.records) {
        for (const word of wordsOf(r.text)) everMade.add(word);
        everMade.add(`conv ${r.conv}`).add(`thread ${r.thread}`);
      }
      assert.ok(h.index.termCount < everMade.size / 4, `terms ${h.index.termCount}, ever ${everMade.size}`);
    }
  });

  it('keeps its memory when records turn over: the space dropped records leave is used again', function () {
    const rng = new Prng(42);
    const h = new Harness(rng);
    const held = 2000;
    const bytes: number[] = [];
    for (let step = 1; step <= 200_000; step++) {
      h.hold();
      if (step % 64 === 0) h.catchUp(h.end);
      if (h.end - h.first > held) h.drop(h.end - held);
      if (step % 20_000 === 0) bytes.push(h.index.bytes);
    }
    // A hundred times what it holds went through it: its arrays grew to a few times what ten
    // turns took (without reuse they would grow by a turn's worth every turn, ninety more).
    assert.ok(bytes[9] <= 3 * bytes[0], `bytes every 20,000 records: ${bytes.join(', ')}`);
  });
});
