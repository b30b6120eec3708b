import { strict as assert } from 'node:assert';
import { silentLogger } from '../../../src/net/logger';
import { conversationKeyOf } from '../../../src/net/protocol/conversationKeys';
import { HEADER_BYTES } from '../../../src/net/protocol/frame';
import { HistoryEntry, MessageHistory } from '../../../src/server/history';
import { chatMessageFrame } from '../../../src/server/io/hotFrames';
import type { MessageState } from '../../../src/server/teamStore';
import { useCleanup } from '../helpers/loopback';
import { Prng } from '../helpers/prng';

/**
 * A history in memory holds its newest messages as the frame JSON the relay gives it
 * (rawRecords.ts) and the others in the compact form: every read — pages, threads, replay,
 * search, find, latest versions, retention by count, bytes and age — gives the same as a history
 * given no JSON (all compact), over seeded runs with edits, deletes, threads and a cluster's seq gaps.
 */

const PEOPLE = ['A', 'B', 'C', 'D'].map((c) => c.repeat(22));
const TARGETS: HistoryEntry['to'][] = ['all', '#general', '#ops', [PEOPLE[1]], [PEOPLE[2]], [PEOPLE[1], PEOPLE[3]]];
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'naïve', '日本', 'x"y', 'back\\slash'];
const BASE_TS = 1_700_000_000_000;

describe('MessageHistory: messages held as their frame JSON', function () {
  const cleanup = useCleanup();

  for (const cluster of [false, true]) {
    for (let seed = 1; seed <= 4; seed++) {
      it(`reads exactly as compact records (${cluster ? 'a cluster stream with seq gaps' : 'appended'}, seed ${seed})`, function () {
        const rng = new Prng(seed * 31 + (cluster ? 7 : 0));
        const options = {
          logger: silentLogger,
          maxEntries: rng.pick([7, 60, 10_000]),
          maxBytes: rng.pick([4_000, 1 << 20]),
          maxAgeMs: rng.pick([40 * 3600_000, 1e12]),
        };
        const states = new Map<number, MessageState>();
        const make = () => new MessageHistory({ ...options, state: (seq) => states.get(seq) });
        const compact = make();
        const raw = make();
        cleanup.add('histories', () => [compact, raw].forEach((h) => h.close()));
        if (cluster) [compact, raw].forEach((h) => h.followStream('Ep0ch'));
        let seq = 0;
        const sent: HistoryEntry[] = [];
        for (let step = 0; step < 1_200; step++) {
          if (sent.length > 0 && rng.chance(0.1) && !cluster) {
            const target = rng.pick(sent);
            const roll = rng.next();
            const change: MessageState =
              roll < 0.3 ? { deleted: true } : roll < 0.8 ? { text: sentence(rng), edited: step } : { reactions: [{ emoji: '👍', by: [PEOPLE[0]] }] };
            states.set(target.seq, { ...states.get(target.seq), ...change });
            const ts = BASE_TS + (seq + 1) * 3600_000;
            assert.equal(raw.appendUpdate(target.seq, ts), compact.appendUpdate(target.seq, ts));
            seq++;
            continue;
          }
          seq = cluster ? seq + rng.int(1, 3) : compact.nextSeq();
          if (!cluster) assert.equal(raw.nextSeq(), seq);
          const entry = randomEntry(rng, seq, compact.epoch, sent);
          const json = chatMessageFrame(entry, false).subarray(HEADER_BYTES);
          if (cluster) {
            assert.equal(raw.appendAt(entry, json), compact.appendAt(entry));
          } else {
            raw.append(entry, json);
            compact.append(entry);
          }
          sent.push(entry);
          if (rng.chance(0.04) || step === 1_199) sameReads(rng, compact, raw, sent, `seed ${seed} step ${step}`);
        }
        assert.ok(raw.stats.heldBytes > compact.stats.heldBytes, 'the raw history held JSON');
      });
    }
  }
});

function sentence(rng: Prng): string {
  return Array.from({ length: rng.int(1, 6) }, () => rng.pick(WORDS)).join(' ');
}

function randomEntry(rng: Prng, seq: number, epoch: string, sent: HistoryEntry[]): HistoryEntry {
  const to = rng.pick(TARGETS);
  const parent = sent.length > 0 && rng.chance(0.2) ? rng.pick(sent) : undefined;
  return {
    id: `${epoch}-${seq}`,
    seq,
    // An hour a message, so the age bound drops some; now and then the clock goes back.
    ts: BASE_TS + seq * 3600_000 - (rng.chance(0.05) ? 7200_000 : 0),
    from: Array.isArray(to) && to.includes(PEOPLE[1]) ? PEOPLE[0] : rng.pick(PEOPLE),
    fromName: rng.pick(['alice', 'bob', 'zoë']),
    to: parent ? parent.to : to,
    text: sentence(rng),
    ref: rng.chance(0.9) ? `r${seq}` : `ré"${seq}`,
    ...(parent ? { thread: parent.thread ?? parent.id } : {}),
    ...(rng.chance(0.1) ? { code: { path: 'a.ts', startLine: 1, endLine: 2, language: 'ts' } } : {}),
    ...(rng.chance(0.1) ? { files: [{ name: `${rng.pick(WORDS)}.log`, size: 10 }] } : {}),
    ...(rng.chance(0.1) ? { mentions: [rng.pick(PEOPLE)] } : {}),
  };
}

/** Every read the relay makes gives the same of both histories. */
function sameReads(rng: Prng, a: MessageHistory, b: MessageHistory, sent: HistoryEntry[], at: string): void {
  assert.deepEqual([b.size, b.oldestSeq, b.seq, b.storedSeq, b.stats.logBytes], [a.size, a.oldestSeq, a.seq, a.storedSeq, a.stats.logBytes], `${at}: bounds`);
  assert.deepEqual(b.all(), a.all(), `${at}: all`);
  const convs = [...new Set(sent.map((e) => conversationKeyOf(e.to, e.from)))];
  for (const conv of convs) {
    for (let k = 0; k < 3; k++) {
      const pick = () => (sent.length > 0 ? rng.pick(sent).seq : 1);
      const roll = rng.next();
      const q = { limit: rng.int(1, 30), ...(roll < 0.3 ? { before: pick() } : roll < 0.5 ? { after: pick() } : roll < 0.7 ? { around: pick() } : {}) };
      const thread = rng.chance(0.3) ? { thread: pick() } : {};
      assert.deepEqual(b.page(conv, { ...q, ...thread }), a.page(conv, { ...q, ...thread }), `${at}: page ${conv} ${JSON.stringify(q)}`);
    }
  }
  const canRead = rng.pick([() => true, (conv: string) => conv !== '#ops', (conv: string) => conv.includes(PEOPLE[1])]);
  const after = rng.int(0, a.seq);
  const maxFrames = rng.pick([5, 10_000]);
  const [ra, rb] = [a, b].map((h) => h.replayFor(PEOPLE[1], after, canRead, maxFrames));
  assert.equal(rb.lastSeq, ra.lastSeq, `${at}: replay's last seq`);
  assert.deepEqual(
    rb.frames.map((f) => f.toString('utf8')),
    ra.frames.map((f) => f.toString('utf8')),
    `${at}: replay after ${after}`,
  );
  for (const word of ['alpha', 'naïve', '日本', 'back']) {
    const query = { words: [word], phrases: [], ...(rng.chance(0.3) ? { hasFile: true } : {}), ...(rng.chance(0.3) ? { from: [PEOPLE[0]] } : {}) };
    assert.deepEqual(b.search(query, canRead, 20), a.search(query, canRead, 20), `${at}: search ${word}`);
  }
  for (let k = 0; k < 10 && sent.length > 0; k++) {
    const seq = rng.pick(sent).seq;
    assert.deepEqual(b.find(seq), a.find(seq), `${at}: find ${seq}`);
    assert.deepEqual(b.latest(seq), a.latest(seq), `${at}: latest ${seq}`);
  }
}
