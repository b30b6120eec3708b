import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../src/net/logger';
import { HistoryEntry, HistoryOptions, MessageHistory } from '../../src/server/history';
import { tempDir, useCleanup } from './helpers/loopback';

const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'C'.repeat(22);
const LOG = 'history.jsonl';

describe('MessageHistory', function () {
  const cleanup = useCleanup();

  function history(options: Partial<HistoryOptions> = {}): MessageHistory {
    const h = new MessageHistory({ logger: silentLogger, ...options });
    cleanup.add('history', () => h.close()); // close() is idempotent
    return h;
  }

  /** Closes `h`, flushing what it holds. */
  function closeHistory(h: MessageHistory): void {
    h.close();
  }

  /** Appends a message with the next seq, like the relay does. */
  function add(h: MessageHistory, fields: Partial<HistoryEntry> = {}): HistoryEntry {
    const seq = h.nextSeq();
    const entry: HistoryEntry = {
      id: `${h.epoch}-${seq}`,
      seq,
      ts: Date.now(),
      from: ALICE,
      fromName: 'alice',
      to: [BOB],
      text: `message ${seq}`,
      ref: `ref-${seq}`,
      ...fields,
    };
    h.append(entry);
    return entry;
  }

  function lines(dir: string): string[] {
    return fs.readFileSync(path.join(dir, LOG), 'utf8').split('\n').filter(Boolean);
  }

  describe('in memory', function () {
    it('numbers from 1, keeps entries in order, and a new history gets a new epoch', function () {
      const h = history();
      assert.equal(h.seq, 0);
      assert.match(h.epoch, /^[A-Za-z0-9_-]{8,64}$/);
      const a = add(h);
      const b = add(h, { to: 'all' });
      assert.deepEqual([a.seq, b.seq], [1, 2]);
      assert.equal(h.seq, 2);
      assert.equal(h.size, 2);
      assert.deepEqual(h.all(), [a, b]);
      assert.notEqual(history().epoch, h.epoch);
    });

    it('since() returns the entries after a seq that the filter accepts, oldest first', function () {
      const h = history();
      const e1 = add(h, { to: [BOB] });
      const e2 = add(h, { to: [CAROL] });
      const e3 = add(h, { to: 'all' });
      const e4 = add(h, { to: [BOB, CAROL], from: CAROL });
      const forBob = (e: HistoryEntry) => e.from !== BOB && (e.to === 'all' || e.to.includes(BOB));
      assert.deepEqual(h.since(0, forBob), [e1, e3, e4]);
      assert.deepEqual(h.since(1, forBob), [e3, e4]);
      assert.deepEqual(h.since(3, forBob), [e4]);
      assert.deepEqual(h.since(4, forBob), []);
      assert.deepEqual(h.since(99, () => true), []);
      assert.deepEqual(h.since(1, () => true), [e2, e3, e4]);
      assert.deepEqual(h.since(0, (e) => e.from === CAROL), [e4]);
    });
  });

  describe('retention', function () {
    it('keeps only the last maxEntries', function () {
      const h = history({ maxEntries: 3 });
      const entries = Array.from({ length: 7 }, () => add(h));
      assert.equal(h.size, 3);
      assert.deepEqual(h.all(), entries.slice(4));
      assert.deepEqual(h.since(0, () => true), entries.slice(4), 'since() does not return dropped entries');
      assert.deepEqual(h.since(5, () => true), entries.slice(5));
      assert.equal(h.seq, 7, 'seq keeps counting');
    });

    it('keeps a long run bounded and correct (the dead prefix is spliced away)', function () {
      const h = history({ maxEntries: 10 });
      let last: HistoryEntry | undefined;
      for (let i = 0; i < 5000; i++) last = add(h);
      assert.equal(h.size, 10);
      assert.deepEqual(
        h.all().map((e) => e.seq),
        Array.from({ length: 10 }, (_, i) => 4991 + i),
      );
      assert.deepEqual(h.since(4998, () => true).map((e) => e.seq), [4999, 5000]);
      assert.equal(h.all()[9], last);
    });

    it('drops entries older than maxAgeMs', function () {
      const h = history({ maxAgeMs: 1000 });
      const base = Date.now() - 10_000;
      add(h, { ts: base });
      const b = add(h, { ts: base + 500 });
      const c = add(h, { ts: base + 1200 });
      assert.deepEqual(h.all(), [b, c], 'the entry more than maxAgeMs older than the newest is gone');
      const d = add(h, { ts: base + 5000 });
      assert.deepEqual(h.all(), [d]);
    });

    it('drops the oldest entries when the text held exceeds maxBytes', function () {
      // Each entry counts 2 bytes a character plus 256.
      const h = history({ maxBytes: 5000 });
      const text = 'x'.repeat(1000); // 2256 each: two fit, three do not
      add(h, { text });
      const b = add(h, { text });
      const c = add(h, { text });
      assert.deepEqual(h.all(), [b, c]);
      const small = add(h, { text: 'hi' }); // 260 more still fits
      assert.deepEqual(h.all(), [b, c, small]);
    });
  });

  describe('on disk', function () {
    it('round trips: same epoch, same entries, seq continues after reopening', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      const written = [add(h1), add(h1, { to: 'all', code: { path: 'src/a.ts', startLine: 1, endLine: 3, language: 'typescript' } }), add(h1)];
      closeHistory(h1);
      const h2 = history({ dir });
      assert.equal(h2.epoch, h1.epoch);
      assert.equal(h2.seq, 3);
      assert.deepEqual(h2.all(), written);
      assert.equal(h2.nextSeq(), 4);
    });

    it('writes appended entries at flush(), not before', function () {
      const dir = tempDir(cleanup);
      const h = history({ dir });
      add(h);
      add(h);
      assert.equal(lines(dir).length, 0, 'nothing is written before the flush');
      h.flush();
      assert.equal(lines(dir).length, 2);
      assert.deepEqual(lines(dir).map((l) => (JSON.parse(l) as HistoryEntry).seq), [1, 2]);
    });

    it('skips a torn last line and unreadable lines, and rewrites the log without them', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      const a = add(h1);
      const b = add(h1);
      closeHistory(h1);
      const file = path.join(dir, LOG);
      fs.appendFileSync(file, 'not json at all\n' + JSON.stringify({ seq: 9, nonsense: true }) + '\n');
      const c = { ...b, id: 'x-3', seq: 3, ref: 'ref-3', text: 'after the junk' };
      fs.appendFileSync(file, JSON.stringify(c) + '\n' + JSON.stringify(a) + '\n'); // an old seq again: ignored
      fs.appendFileSync(file, '{"id":"x-4","seq":4,"ts":1,"from":"abc'); // torn

      const h2 = history({ dir });
      assert.deepEqual(h2.all(), [a, b, c]);
      assert.equal(h2.seq, 3, 'the torn entry does not count');
      assert.equal(h2.epoch, h1.epoch);
      assert.deepEqual(
        lines(dir).map((l) => (JSON.parse(l) as HistoryEntry).seq),
        [1, 2, 3],
        'the log was rewritten with only the good entries',
      );
      const d = add(h2);
      closeHistory(h2);
      assert.deepEqual(history({ dir }).all(), [a, b, c, d], 'a later append is not glued to the torn line');
    });

    it('compacts the log while running and keeps exactly the retained entries', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir, maxEntries: 5 });
      for (let i = 0; i < 1100; i++) {
        add(h1);
        h1.flush(); // one flush per relay turn
      }
      const onDisk = lines(dir).length;
      assert.ok(onDisk < 1100, `the log was compacted (${onDisk} lines for 1100 appends)`);
      const retained = h1.all();
      closeHistory(h1);
      const h2 = history({ dir, maxEntries: 5 });
      assert.deepEqual(h2.all(), retained);
      assert.deepEqual(
        retained.map((e) => e.seq),
        [1096, 1097, 1098, 1099, 1100],
      );
      assert.equal(h2.seq, 1100);
      assert.equal(lines(dir).length, 5, 'opening compacts to the retained entries');
    });

    it('applies a smaller retention when reopened, and compacts the file to it', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir, maxEntries: 100 });
      const entries = Array.from({ length: 20 }, () => add(h1));
      closeHistory(h1);
      const h2 = history({ dir, maxEntries: 4 });
      assert.deepEqual(h2.all(), entries.slice(16));
      assert.equal(h2.seq, 20);
      assert.equal(lines(dir).length, 4);
    });

    it('starts a new epoch when the state file is unreadable', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      add(h1);
      closeHistory(h1);
      fs.writeFileSync(path.join(dir, 'relay-state.json'), '{"epoch": 12');
      const h2 = history({ dir });
      assert.notEqual(h2.epoch, h1.epoch);
      closeHistory(h2);
      assert.equal(history({ dir }).epoch, h2.epoch, 'the new epoch is saved');
    });

    it('never goes back in seq within an epoch, even when retention dropped every entry', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      const monthAgo = Date.now() - 30 * 24 * 3600 * 1000;
      for (let i = 0; i < 3; i++) add(h1, { ts: monthAgo });
      closeHistory(h1);

      const h2 = history({ dir }); // everything is past the 7-day retention
      assert.equal(h2.size, 0);
      assert.equal(h2.seq, 3);
      closeHistory(h2);

      const h3 = history({ dir });
      assert.equal(h3.epoch, h1.epoch, 'still the same epoch');
      assert.ok(
        h3.seq >= 3,
        `seq went back from 3 to ${h3.seq} in epoch ${h3.epoch}: clients holding bookmark {epoch, seq: 3} will skip seq 1..3 as already seen`,
      );
    });
  });
});
