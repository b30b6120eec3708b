import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/net/logger';
import { conversationKeyOf } from '../../../src/net/protocol/conversationKeys';
import { MessageHistory } from '../../../src/server/history';
import { HistoryEntry, parseRecord } from '../../../src/server/historyEntry';
import { Prng, ZipfSampler } from '../../../bench/lib/prng';
import { corpusPeople, CorpusPlan, generate, writeCorpus } from '../../../bench/lib/searchCorpus';

const DAY = 86_400_000;

function plan(messages: number, firstSeq = 1): CorpusPlan {
  const team = corpusPeople(40, 3);
  const [searcher, outsider, ...people] = team;
  return {
    messages,
    seed: 11,
    epoch: 'bench-test',
    firstSeq,
    endTs: Date.UTC(2026, 10, 1),
    spanDays: 120,
    searcher,
    people: [outsider, ...people],
    channels: [
      { id: 'general', name: 'general', private: false, readable: true, weight: 0 },
      { id: 'deploys1', name: 'deploys', private: false, readable: true, weight: 1 },
      { id: 'random22', name: 'random', private: false, readable: true, weight: 0.5 },
      { id: 'hidden33', name: 'skunkworks', private: true, readable: false, weight: 0.5, writers: [outsider, people[0]] },
    ],
    secretWord: 'quuxplorative',
  };
}

function lines(p: CorpusPlan): { entries: HistoryEntry[]; text: string; stats: ReturnType<typeof generate> } {
  let text = '';
  const stats = generate(p, (chunk) => (text += chunk));
  const entries = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const record = parseRecord(JSON.parse(l));
      assert.ok(record && !('update' in record), `not a message record: ${l}`);
      return record as HistoryEntry;
    });
  return { entries, text, stats };
}

/** W7 searches what these write: if the relay cannot load it as its own log, the bench measures nothing. */
describe('bench search corpus', () => {
  let dir: string;
  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it("writes message records the relay's log schema accepts, seqs in order, times rising over the span", () => {
    const p = plan(5000, 42);
    const { entries, text, stats } = lines(p);
    assert.equal(entries.length, 5000);
    assert.equal(stats.bytes, Buffer.byteLength(text));
    entries.forEach((e, i) => {
      assert.equal(e.seq, 42 + i);
      assert.equal(e.id, `bench-test-${42 + i}`);
      if (i > 0) assert.ok(e.ts >= entries[i - 1].ts, `time went back at seq ${e.seq}`);
    });
    assert.ok(entries[0].ts < p.endTs - 119 * DAY && entries[4999].ts > p.endTs - DAY);
    assert.equal(new Set(entries.map((e) => e.ref)).size, 5000, 'refs are unique');
    assert.ok(entries.some((e) => e.code) && entries.some((e) => e.files) && entries.some((e) => e.thread), 'code, files and threads occur');
    const kinds = new Set(entries.map((e) => (e.to === 'all' ? 'general' : typeof e.to === 'string' ? 'channel' : e.to.length === 1 ? 'direct' : 'group')));
    assert.deepEqual([...kinds].sort(), ['channel', 'direct', 'general', 'group']);
  });

  it('keeps the secret word and the searcher out of what the searcher may not read, and samples only what it may', () => {
    const p = plan(20_000);
    const { entries, stats } = lines(p);
    const secret = entries.filter((e) => e.text.includes(p.secretWord));
    assert.ok(secret.length > 0, 'the secret word is written');
    assert.ok(secret.every((e) => e.to === '#hidden33'));
    const hidden = entries.filter((e) => e.to === '#hidden33');
    assert.ok(hidden.every((e) => e.from !== p.searcher.clientId));
    const readable = (e: HistoryEntry) => {
      const key = conversationKeyOf(e.to, e.from);
      return key !== '#hidden33' && (!key.startsWith('@') || key.slice(1).split(',').includes(p.searcher.clientId));
    };
    assert.equal(stats.readableBySearcher, entries.filter(readable).length);
    assert.ok(stats.samples.length > 5);
    for (const s of stats.samples) assert.notEqual(s.conv, '#hidden33');
  });

  it('replies name a parent earlier in the same conversation', () => {
    const { entries } = lines(plan(10_000));
    const byId = new Map(entries.map((e) => [e.id, e]));
    const replies = entries.filter((e) => e.thread);
    assert.ok(replies.length > 300);
    for (const r of replies) {
      const parent = byId.get(r.thread!);
      assert.ok(parent && parent.seq < r.seq && !parent.thread, `parent of ${r.id}`);
      assert.equal(conversationKeyOf(parent.to, parent.from), conversationKeyOf(r.to, r.from));
    }
  });

  it('is loaded whole by the relay’s history from a folder with its state', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-corpus-'));
    const p = plan(3000, 1);
    fs.writeFileSync(path.join(dir, 'relay-state.json'), JSON.stringify({ epoch: p.epoch, seq: 3000 }) + '\n');
    writeCorpus(path.join(dir, 'history.jsonl'), p);
    const history = new MessageHistory({ dir, logger: silentLogger, maxEntries: 10_000, maxAgeMs: 3650 * DAY });
    try {
      assert.equal(history.epoch, p.epoch);
      assert.equal(history.size, 3000);
      assert.equal(history.seq, 3000);
      assert.equal(history.find(1234)?.entry.id, 'bench-test-1234');
    } finally {
      history.close();
    }
  });

  it('draws words by Zipf’s law: rank r about 1/r^s as often as rank 1', () => {
    const zipf = new ZipfSampler(1000, 1.07);
    const prng = new Prng(5);
    const counts = new Array<number>(1000).fill(0);
    for (let i = 0; i < 200_000; i++) counts[zipf.sample(prng)]++;
    for (const rank of [0, 1, 9, 99]) {
      const expected = 200_000 * zipf.probability(rank);
      assert.ok(Math.abs(counts[rank] - expected) < 5 * Math.sqrt(expected) + 5, `rank ${rank}: ${counts[rank]} against ${expected.toFixed(0)}`);
    }
    assert.ok(counts[0] > 8 * counts[9], 'rank 1 is far more frequent than rank 10');
  });
});
