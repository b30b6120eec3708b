import { strict as assert } from 'node:assert';
import { conversationKeyOf } from '../../../src/net/protocol/conversationKeys';
import { silentLogger } from '../../../src/net/logger';
import { HistoryEntry, MessageHistory, PageQuery } from '../../../src/server/history';
import type { MessageState } from '../../../src/server/teamStore';
import { Prng } from '../helpers/prng';
import { useCleanup } from '../helpers/loopback';

/**
 * Pages of a conversation (scrollback, jumps, threads) against the plainest model: every message
 * held, filtered by conversation and thread, sorted by seq, cut as the query says.
 */

const PEOPLE = ['A', 'B', 'C'].map((c) => c.repeat(22));
const TARGETS: HistoryEntry['to'][] = ['all', '#ops', '#dev', [PEOPLE[1]], [PEOPLE[0], PEOPLE[2]]];

interface Held {
  seq: number;
  conv: string;
  /** The thread parent's seq, or 0. */
  parent: number;
}

/** The page the model cuts (seqs), and whether there are more either side. */
function modelPage(held: Held[], conv: string, q: PageQuery): { seqs: number[]; older: boolean; newer: boolean } {
  const all = held.filter((m) => m.conv === conv && m.parent === (q.thread ?? 0)).map((m) => m.seq);
  let seqs: number[];
  let older: boolean;
  let newer: boolean;
  if (q.around !== undefined) {
    const pivot = all.findIndex((s) => s >= q.around!);
    const at = pivot < 0 ? all.length : pivot;
    const before = all.slice(0, at).reverse();
    const after = all.slice(at);
    let o = Math.min(before.length, Math.floor((q.limit - 1) / 2));
    const n = Math.min(after.length, q.limit - o);
    o = Math.min(before.length, q.limit - n);
    seqs = [...before.slice(0, o).reverse(), ...after.slice(0, n)];
    [older, newer] = [false, false];
  } else if (q.after !== undefined) {
    seqs = all.filter((s) => s > q.after! && (q.before === undefined || s < q.before)).slice(0, q.limit);
    older = all.some((s) => s <= q.after!);
    newer = q.before !== undefined && all.some((s) => s >= q.before!);
  } else {
    seqs = all.filter((s) => q.before === undefined || s < q.before).slice(-q.limit);
    older = false;
    newer = q.before !== undefined && all.some((s) => s >= q.before!);
  }
  if (seqs.length > 0) {
    older = all.some((s) => s < seqs[0]);
    newer = all.some((s) => s > seqs[seqs.length - 1]);
  }
  return { seqs, older, newer };
}

describe('MessageHistory.page', function () {
  const cleanup = useCleanup();

  it('cuts the same pages as a plain sorted list over seeded conversations with threads, changes and retention', function () {
    for (const seed of [1, 2, 3, 4]) {
      const rng = new Prng(seed);
      const states = new Map<number, MessageState>();
      const maxEntries = seed % 2 === 0 ? 150 : 10_000;
      const h = new MessageHistory({ logger: silentLogger, maxEntries, state: (s) => states.get(s) });
      cleanup.add('history', () => h.close());
      const held: Held[] = [];
      for (let i = 0; i < 600; i++) {
        if (held.length > 0 && rng.chance(0.15)) {
          const target = rng.pick(held).seq;
          states.set(target, { text: `edited ${i}`, edited: i });
          h.appendUpdate(target, Date.now());
        } else {
          const to = rng.pick(TARGETS);
          const from = Array.isArray(to) && to.length === 2 ? PEOPLE[1] : rng.pick(PEOPLE);
          const conv = conversationKeyOf(to, from);
          const parents = held.filter((m) => m.conv === conv && m.parent === 0);
          const parent = parents.length > 0 && rng.chance(0.3) ? rng.pick(parents).seq : 0;
          const seq = h.nextSeq();
          h.append({
            id: `${h.epoch}-${seq}`,
            seq,
            ts: Date.now(),
            from,
            fromName: 'x',
            to,
            text: `m${seq}`,
            ref: `r${seq}`,
            ...(parent ? { thread: `${h.epoch}-${parent}` } : {}),
          });
          held.push({ seq, conv, parent });
        }
        // What retention kept.
        while (held.length > 0 && held[0].seq < h.oldestSeq) held.shift();
        if (i % 7 !== 0) continue;
        const conv = conversationKeyOf(rng.pick(TARGETS), PEOPLE[1]);
        const parents = held.filter((m) => m.conv === conv && m.parent === 0);
        const q: PageQuery = { limit: rng.int(1, 12) };
        if (parents.length > 0 && rng.chance(0.3)) q.thread = rng.pick(parents).seq;
        const kind = rng.int(0, 4);
        if (kind === 1 || kind === 4) q.before = rng.int(0, h.seq + 2);
        if (kind === 2 || kind === 4) q.after = rng.int(0, h.seq + 2);
        if (kind === 3) q.around = rng.int(0, h.seq + 2);
        const expected = modelPage(held, conv, q);
        const page = h.page(conv, q);
        const where = `seed ${seed} step ${i}: ${conv} ${JSON.stringify(q)}`;
        assert.deepEqual(
          page.messages.map((m) => m.seq),
          expected.seqs,
          where,
        );
        assert.deepEqual([page.older, page.newer], [expected.older, expected.newer], `${where}: older/newer`);
        for (const m of page.messages) assert.deepEqual(m, h.latest(m.seq), `${where}: latest version of ${m.seq}`);
      }
    }
  });

  it('knows nothing of a conversation it holds nothing of', function () {
    const h = new MessageHistory({ logger: silentLogger });
    cleanup.add('history', () => h.close());
    assert.deepEqual(h.page('#nowhere', { limit: 10 }), { messages: [], older: false, newer: false });
  });
});
