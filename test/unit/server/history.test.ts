import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { silentLogger } from '../../../src/net/logger';
import { conversationKeyOf, GENERAL_KEY, participantsOfKey } from '../../../src/net/protocol/conversationKeys';
import { HEADER_BYTES } from '../../../src/net/protocol/frame';
import { HistoryEntry, HistoryOptions, MessageHistory } from '../../../src/server/history';
import { logLineOf } from '../../../src/server/historyRecords';
import { chatMessageFrame } from '../../../src/server/io/hotFrames';
import { appendMessage, historyMessage } from '../helpers/historyMessages';
import { Prng } from '../helpers/prng';
import { tempDir, useCleanup } from '../helpers/loopback';
import { LogCapture } from '../helpers/security';

const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'C'.repeat(22);
const LOG = 'history.jsonl';

/**
 * The history's first promises: numbering, replay, retention, and the log on disk (round trips,
 * damage, a full disk, one relay per folder, compaction). Longer than 400 lines because each of
 * those is a case of the same setup, and they read best side by side.
 */
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

  /** A message from alice to bob unless `fields` say otherwise. */
  const add = (h: MessageHistory, fields: Partial<HistoryEntry> = {}): HistoryEntry => appendMessage(h, { to: [BOB], ...fields });

  /** Who may read what without channels: #general is everyone's, a people key its participants'. */
  const readerOf = (clientId: string) => (conv: string) => conv === GENERAL_KEY || participantsOfKey(conv).includes(clientId);
  const mayRead = (clientId: string, entry: HistoryEntry) => readerOf(clientId)(conversationKeyOf(entry.to, entry.from));

  /** The seqs of the replay frames `clientId` gets after `after`, checking each frame's bytes
   *  against the entry it came from. */
  function replayed(h: MessageHistory, clientId: string, after: number, entries: HistoryEntry[]): number[] {
    const { frames, lastSeq } = h.replayFor(clientId, after, readerOf(clientId));
    const seqs = frames.map((frame) => {
      const seq = (JSON.parse(frame.subarray(HEADER_BYTES).toString('utf8')) as { seq: number }).seq;
      const entry = entries.find((e) => e.seq === seq)!;
      assert.ok(frame.equals(chatMessageFrame(entry, true)), `replay of ${seq} is the entry's replay frame`);
      return seq;
    });
    assert.equal(lastSeq, seqs.at(-1) ?? after);
    return seqs;
  }

  /** What a record of `entry` costs against maxBytes: its line in the log. */
  const recordBytes = (entry: HistoryEntry) => Buffer.byteLength(logLineOf(entry));

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

    it('replays what a client missed after a seq in what it may read, its own messages included, oldest first', function () {
      const h = history();
      const all = [
        add(h, { to: [BOB] }),
        add(h, { to: [CAROL] }),
        add(h, { to: 'all' }),
        add(h, { to: [BOB, CAROL], from: CAROL }),
        add(h, { to: 'all', from: BOB }),
        add(h, { to: [BOB], from: BOB }),
      ];
      assert.deepEqual(replayed(h, BOB, 0, all), [1, 3, 4, 5, 6]);
      assert.deepEqual(replayed(h, BOB, 1, all), [3, 4, 5, 6]);
      assert.deepEqual(replayed(h, BOB, 3, all), [4, 5, 6]);
      assert.deepEqual(replayed(h, BOB, 6, all), []);
      assert.deepEqual(replayed(h, BOB, 99, all), []);
      assert.deepEqual(replayed(h, CAROL, 0, all), [2, 3, 4, 5]);
      assert.deepEqual(replayed(h, ALICE, 0, all), [1, 2, 3, 5], 'her own messages are replayed to her (her other machines)');
      assert.deepEqual(replayed(h, 'D'.repeat(22), 0, all), [3, 5], 'a stranger to the history gets what went to all');
    });

    it('keeps hostile text exactly (quotes, control characters, lone surrogates, line separators)', function () {
      const h = history();
      const text = '"\\\n\u0000\u2028\u2029\ud800😀</script>{"t":"ack"}';
      const e = add(h, {
        text,
        ref: '\udfff"é',
        fromName: 'a"b\n',
        to: [BOB, CAROL],
        code: { path: '../../etc/passwd', startLine: 1, endLine: 2, language: '"' },
      });
      assert.deepEqual(h.all(), [e]);
      assert.deepEqual(replayed(h, CAROL, 0, [e]), [1]);
    });

    it('matches a plain list over 3,000 seeded messages (retention by count, bytes and age)', function () {
      const rng = new Prng(2611);
      const ids = [ALICE, BOB, CAROL, 'D'.repeat(22)];
      const maxEntries = 50;
      const maxBytes = 6000;
      const maxAgeMs = 10_000;
      const h = history({ maxEntries, maxBytes, maxAgeMs });
      const kept: HistoryEntry[] = [];
      let ts = Date.now();
      for (let i = 0; i < 3000; i++) {
        ts += rng.chance(0.01) ? 20_000 : rng.int(0, 50);
        const to: HistoryEntry['to'] = rng.chance(0.3) ? 'all' : Array.from({ length: rng.int(1, 3) }, () => rng.pick(ids));
        const e = add(h, { ts, from: rng.pick(ids), to, text: 'x'.repeat(rng.chance(0.02) ? 7000 : rng.int(0, 300)) });
        if (recordBytes(e) <= maxBytes) kept.push(e);
        // The ring may drop a little more than the byte bound needs (a record never wraps),
        // so the model follows what it kept and checks that against every bound.
        while (kept.length > h.size) kept.shift();
        assert.deepEqual(h.all(), kept, `message ${i}`);
        assert.ok(kept.length <= maxEntries && kept.reduce((n, k) => n + recordBytes(k), 0) <= maxBytes);
        assert.ok(
          kept.every((k) => k.ts >= ts - maxAgeMs),
          `message ${i}: nothing older than maxAgeMs`,
        );
        if (i % 100 === 0) {
          const after = rng.int(0, e.seq);
          for (const id of ids) {
            const expected = kept.filter((k) => k.seq > after && mayRead(id, k)).map((k) => k.seq);
            assert.deepEqual(replayed(h, id, after, kept), expected, `message ${i}, ${id[0]} after ${after}`);
          }
        }
      }
    });
  });

  describe('retention', function () {
    it('keeps only the last maxEntries', function () {
      const h = history({ maxEntries: 3 });
      const entries = Array.from({ length: 7 }, () => add(h));
      assert.equal(h.size, 3);
      assert.deepEqual(h.all(), entries.slice(4));
      assert.deepEqual(replayed(h, BOB, 0, entries), [5, 6, 7], 'no replay of dropped entries');
      assert.deepEqual(replayed(h, BOB, 5, entries), [6, 7]);
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
      assert.deepEqual(replayed(h, BOB, 4998, h.all()), [4999, 5000]);
      assert.deepEqual(h.all()[9], last);
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

    it('drops the oldest entries when the bytes held would exceed maxBytes', function () {
      const text = 'x'.repeat(1000);
      const probe = history();
      const size = recordBytes(add(probe, { text }));
      const h = history({ maxBytes: 2 * size + 200 }); // two fit, three do not
      add(h, { text });
      const b = add(h, { text });
      const c = add(h, { text });
      assert.deepEqual(h.all(), [b, c]);
      // A record never wraps round the end of the memory it is kept in, so the bound may cost
      // one more old entry than the bytes alone would: what is kept is the newest, within it.
      const small = add(h, { text: 'hi' });
      const kept = h.all();
      assert.deepEqual(kept, [b, c, small].slice(3 - kept.length));
      assert.ok(kept.length >= 2 && kept.reduce((n, e) => n + recordBytes(e), 0) <= 2 * size + 200);
    });

    it('does not hold one message larger than maxBytes, and counts its seq', function () {
      const h = history({ maxBytes: 500 });
      const a = add(h);
      add(h, { text: 'x'.repeat(600) });
      assert.deepEqual(h.all(), [a]);
      assert.equal(h.seq, 2);
    });
  });

  describe('on disk', function () {
    it('round trips: same epoch, same entries, seq continues after reopening', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      const written = [
        add(h1),
        add(h1, { to: 'all', code: { path: 'src/a.ts', startLine: 1, endLine: 3, language: 'typescript' } }),
        add(h1, { ref: '\ud800"\n', text: '\u2028"\\\u0000😀', to: [BOB, CAROL] }),
      ];
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
      assert.deepEqual(
        lines(dir).map((l) => (JSON.parse(l) as HistoryEntry).seq),
        [1, 2],
      );
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

    it('reports damage clearly: the damaged lines are set aside in a file of their own, and a whole-looking last line without its newline is a torn write', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      const a = add(h1);
      const b = add(h1);
      closeHistory(h1);
      const file = path.join(dir, LOG);
      const junk = 'not json at all';
      fs.appendFileSync(file, junk + '\n');
      const c = { ...b, id: 'x-3', seq: 3, ref: 'ref-3', text: 'after the junk' };
      const torn = JSON.stringify({ ...b, id: 'x-4', seq: 4, ref: 'ref-4' });
      fs.appendFileSync(file, JSON.stringify(c) + '\n' + torn); // parses, but its newline never came: never acknowledged
      const junkOffset = Buffer.byteLength(lines(dir).slice(0, 2).join('\n') + '\n');

      const log = new LogCapture();
      const h2 = history({ dir, logger: log });
      assert.deepEqual(h2.all(), [a, b, c]);
      const [report] = log.find('history log was damaged; loaded every whole record and set the damaged lines aside');
      assert.ok(report, 'the damage is reported');
      assert.equal(report.level, 'warn');
      assert.equal(report.fields.damagedLines, 2);
      assert.equal(report.fields.first, `line 3 (byte ${junkOffset})`);
      assert.equal(report.fields.tail, true);
      const aside = String(report.fields.setAsideIn);
      assert.equal(path.dirname(aside), dir);
      assert.equal(fs.readFileSync(aside, 'utf8'), `${junk}\n${torn}\n`, 'exactly the damaged lines are kept for whoever wants to look');
      closeHistory(h2);
      const h3 = history({ dir, logger: log });
      assert.deepEqual(h3.all(), [a, b, c]);
      assert.equal(
        log.find('history log was damaged; loaded every whole record and set the damaged lines aside').length,
        1,
        'reported once: the log is whole now',
      );
    });

    it('on disk, a message is held, replayed and its outcome told only once flush() has written it; a failed write is cut back and told', function () {
      const dir = tempDir(cleanup);
      const h = history({ dir });
      const told: string[] = [];
      const outcome = (name: string) => ({ stored: () => told.push(`${name} stored`), notStored: (why: string) => told.push(`${name} not stored: ${why}`) });
      const entry = (seq: number): HistoryEntry => historyMessage(h, seq);
      h.append(entry(h.nextSeq()), undefined, outcome('one'));
      assert.deepEqual([h.all(), h.replayFor(BOB, 0, readerOf(BOB)).frames, told], [[], [], []], 'nothing before the write');
      h.flush();
      assert.deepEqual(told, ['one stored']);
      assert.equal(h.replayFor(BOB, 0, readerOf(BOB)).frames.length, 1);
      const before = fs.readFileSync(path.join(dir, LOG));

      // A disk that takes half of the batch, then is full (patched on the module object itself:
      // the imported namespace has getters only).
      const nodeFs = createRequire(__filename)('node:fs') as { writeSync: typeof fs.writeSync };
      const realWrite = nodeFs.writeSync;
      let calls = 0;
      (nodeFs as { writeSync: unknown }).writeSync = (fd: number, buffer: Buffer, offset: number, length: number) => {
        if (calls++ === 0) return realWrite(fd, buffer, offset, Math.floor(length / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      try {
        h.append(entry(h.nextSeq()), undefined, outcome('two'));
        h.append(entry(h.nextSeq()), undefined, outcome('three'));
        h.flush();
      } finally {
        nodeFs.writeSync = realWrite;
      }
      assert.deepEqual(told.slice(1), ["two not stored: the relay's disk is full (ENOSPC)", "three not stored: the relay's disk is full (ENOSPC)"]);
      assert.ok(fs.readFileSync(path.join(dir, LOG)).equals(before), 'the half-written batch was cut back off the log');
      assert.equal(h.all().length, 1, 'and is not held either');
      assert.deepEqual([h.seq, h.storedSeq], [3, 1], 'its numbers are spent, but nobody starts past the stored one');

      h.append(entry(h.nextSeq()), undefined, outcome('four'));
      h.flush();
      assert.deepEqual(told.slice(3), ['four stored'], 'writes work again once there is room');
      closeHistory(h);
      assert.deepEqual(
        history({ dir })
          .all()
          .map((e) => e.text),
        ['m1', 'm4'],
      );
    });

    it('one relay per history folder: a live holder is refused by name, a stale lock (a crashed relay) is taken over', async function () {
      const dir = tempDir(cleanup);
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
      cleanup.add('the other process', () => void other.kill('SIGKILL'));
      await new Promise((resolve) => other.once('spawn', resolve));
      fs.writeFileSync(path.join(dir, 'relay.lock'), String(other.pid));
      assert.throws(() => history({ dir }), new RegExp(`is in use by another relay \\(process ${other.pid}\\)`));
      assert.deepEqual(fs.readdirSync(dir).sort(), ['relay.lock'], 'nothing read, nothing rewritten');
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
      const h = history({ dir });
      add(h);
      closeHistory(h);
      assert.equal(fs.existsSync(path.join(dir, 'relay.lock')), false, 'released on close');
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
      const yearAgo = Date.now() - 365 * 24 * 3600 * 1000;
      for (let i = 0; i < 3; i++) add(h1, { ts: yearAgo });
      closeHistory(h1);

      const h2 = history({ dir }); // everything is past the 90-day retention
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
