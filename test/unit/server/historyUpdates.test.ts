import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { silentLogger } from '../../../src/net/logger';
import { encodeControl } from '../../../src/net/protocol/controlCodec';
import { HEADER_BYTES } from '../../../src/net/protocol/frame';
import type { ChatMessage, Update } from '../../../src/net/protocol/messages';
import { HistoryOptions, MessageHistory } from '../../../src/server/history';
import { HistoryLog } from '../../../src/server/historyLog';
import type { MessageState } from '../../../src/server/teamStore';
import { appendMessage } from '../helpers/historyMessages';
import { tempDir, useCleanup } from '../helpers/loopback';
import { LogCapture } from '../helpers/security';

/**
 * Changes to stored messages: update records with seqs of their own, every message served as its
 * latest version (the team store's state laid over it), replays that carry each change once, and
 * all of it kept across a restart, with the log compacted to the latest versions.
 */

const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'C'.repeat(22);
const LOG = 'history.jsonl';
const everyone = () => true;

type Frame = (ChatMessage & { replay?: boolean }) | (Update & { replay?: boolean });
const decode = (frames: Buffer[]) => frames.map((frame) => JSON.parse(frame.subarray(HEADER_BYTES).toString('utf8')) as Frame);

describe('MessageHistory: updates, latest versions and replays', function () {
  const cleanup = useCleanup();
  /** The team store's message states, as the relay keeps them. */
  let states: Map<number, MessageState>;
  beforeEach(() => (states = new Map()));

  function history(options: Partial<HistoryOptions> = {}): MessageHistory {
    const h = new MessageHistory({ logger: silentLogger, state: (seq) => states.get(seq), ...options });
    cleanup.add('history', () => h.close());
    return h;
  }

  const add = appendMessage;

  /** Changes message `seq` the way the relay does: the store first, then the update record. */
  function change(h: MessageHistory, seq: number, state: MessageState): number {
    states.set(seq, { ...states.get(seq), ...state });
    return h.appendUpdate(seq, Date.now());
  }

  it('serves the latest version: edits, deletes (a tombstone), reactions and replies over the message as stored', function () {
    const h = history();
    const code = { path: 'src/a.ts', startLine: 1, endLine: 2, language: 'typescript' };
    const a = add(h, { text: 'first', code, files: [{ name: 'a.log', size: 3 }] });
    const reply = add(h, { from: BOB, fromName: 'bob', text: 'a reply', thread: a.id });
    const u1 = change(h, a.seq, { text: 'edited', edited: 111 });
    const u2 = change(h, a.seq, { reactions: [{ emoji: '👍', by: [BOB] }], replies: { count: 1, lastTs: reply.ts, by: [BOB] } });
    assert.deepEqual([u1, u2], [3, 4], 'each change has a seq of its own');
    assert.equal(h.seq, 4);
    assert.deepEqual(h.find(a.seq), { entry: a, conv: '#general' }, 'find() gives the message as stored');
    assert.deepEqual(h.find(reply.seq)?.entry.thread, a.id);
    assert.equal(h.find(u1), undefined, 'an update record is no message');
    const latest = h.latest(a.seq);
    assert.deepEqual(latest, {
      t: 'message',
      id: a.id,
      seq: a.seq,
      ts: a.ts,
      from: ALICE,
      fromName: 'alice',
      to: 'all',
      text: 'edited',
      code,
      files: a.files,
      edited: 111,
      reactions: [{ emoji: '👍', by: [BOB] }],
      replies: { count: 1, lastTs: reply.ts, by: [BOB] },
    });
    change(h, a.seq, { deleted: true });
    const tombstone = h.latest(a.seq)!;
    assert.deepEqual([tombstone.deleted, tombstone.text, tombstone.code, tombstone.files], [true, '', undefined, undefined]);
    assert.equal(h.latest(99), undefined);
  });

  it('replays a message missed as its latest version, and a change of one seen before as one update (the last)', function () {
    const h = history();
    const a = add(h, { text: 'one' });
    const b = add(h, { text: 'two', to: [BOB] });
    change(h, a.seq, { text: 'one, edited', edited: 5 });
    const last = change(h, a.seq, { reactions: [{ emoji: '🎉', by: [BOB] }] });
    const c = add(h, { text: 'three' });
    const fromStart = h.replayFor(BOB, 0, everyone);
    assert.deepEqual(
      decode(fromStart.frames).map((f) => [f.t, f.seq]),
      [
        ['message', a.seq],
        ['message', b.seq],
        ['message', c.seq],
      ],
      'messages it never had come in their latest version; no update of them',
    );
    assert.ok(fromStart.frames[0].equals(encodeControl({ ...h.latest(a.seq)!, replay: true })));
    assert.equal(fromStart.lastSeq, c.seq);
    const afterB = h.replayFor(BOB, b.seq, everyone);
    const frames = decode(afterB.frames);
    assert.deepEqual(
      frames.map((f) => [f.t, f.seq]),
      [
        ['update', last],
        ['message', c.seq],
      ],
    );
    assert.deepEqual(frames[0], { t: 'update', seq: last, conv: '#general', message: h.latest(a.seq), replay: true });
    assert.equal(afterB.lastSeq, c.seq);
    const afterC = h.replayFor(BOB, c.seq, everyone);
    assert.deepEqual([afterC.frames.length, afterC.lastSeq], [0, c.seq]);
  });

  it('replays only what canRead allows, updates included, and the newest maxFrames when more were missed', function () {
    const h = history();
    const secret = add(h, { to: '#secret', text: 'hidden' });
    const open = add(h, { to: '#open' });
    const mine = add(h, { from: BOB, fromName: 'bob', to: [CAROL] });
    change(h, secret.seq, { text: 'still hidden', edited: 1 });
    const openUpdate = change(h, open.seq, { text: 'edited', edited: 1 });
    const bobReads = (conv: string) => conv !== '#secret';
    const replay = h.replayFor(BOB, mine.seq, bobReads);
    assert.deepEqual(
      decode(replay.frames).map((f) => f.seq),
      [openUpdate],
    );
    assert.deepEqual(
      decode(h.replayFor(BOB, 0, bobReads).frames).map((f) => f.seq),
      [open.seq, mine.seq],
      'his own message to carol too (his other machines), nothing of #secret',
    );
    const many = history();
    for (let i = 0; i < 30; i++) add(many);
    const capped = many.replayFor(BOB, 0, everyone, 10);
    assert.deepEqual(
      decode(capped.frames).map((f) => f.seq),
      Array.from({ length: 10 }, (_, i) => 21 + i),
    );
    assert.equal(capped.lastSeq, 30);
  });

  it('leaves out the update of a message retention dropped, and tells onTrimmed how far it dropped', function () {
    const trimmed: number[] = [];
    const h = history({ maxEntries: 4, onTrimmed: (seq) => trimmed.push(seq) });
    const a = add(h);
    add(h);
    add(h);
    add(h);
    assert.deepEqual([trimmed, h.oldestSeq], [[], 1]);
    const update = change(h, a.seq, { text: 'x', edited: 1 }); // a is dropped to make room
    assert.deepEqual(trimmed, [1]);
    assert.equal(h.oldestSeq, 2);
    const replay = h.replayFor(BOB, 4, everyone);
    assert.deepEqual([replay.frames.length, replay.lastSeq], [0, update], 'nothing to send, and the bookmark moves past it');
    const old = history({ maxAgeMs: 1000, onTrimmed: (seq) => trimmed.push(seq) });
    const now = Date.now();
    add(old, { ts: now - 5000 });
    add(old, { ts: now - 4500 });
    add(old, { ts: now });
    assert.deepEqual([trimmed.slice(1), old.oldestSeq], [[2], 3]);
  });

  describe('on disk', function () {
    function lines(dir: string): Record<string, unknown>[] {
      return fs
        .readFileSync(path.join(dir, LOG), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    }

    it('stores an update only once flush() has written it, and refuses it clearly when the disk is full', function () {
      const dir = tempDir(cleanup);
      const h = history({ dir });
      const a = add(h);
      h.flush();
      const told: string[] = [];
      states.set(a.seq, { text: 'edited', edited: 9 });
      const seq = h.appendUpdate(a.seq, 7, { stored: () => told.push('stored'), notStored: (why) => told.push(why) });
      assert.deepEqual([h.replayFor(BOB, a.seq, everyone).frames, told, h.storedSeq], [[], [], a.seq], 'nothing before the write');
      h.flush();
      assert.deepEqual(told, ['stored']);
      assert.deepEqual(lines(dir).at(-1), { seq, ts: 7, update: a.seq });
      assert.equal(decode(h.replayFor(BOB, a.seq, everyone).frames)[0].seq, seq);

      const nodeFs = createRequire(__filename)('node:fs') as { writeSync: typeof fs.writeSync };
      const realWrite = nodeFs.writeSync;
      (nodeFs as { writeSync: unknown }).writeSync = () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      try {
        h.appendUpdate(a.seq, 8, { stored: () => told.push('stored'), notStored: (why) => told.push(why) });
        h.flush();
      } finally {
        nodeFs.writeSync = realWrite;
      }
      assert.deepEqual(told, ['stored', "the relay's disk is full (ENOSPC)"]);
      assert.equal(h.storedSeq, seq, 'the refused update is not held');
      assert.equal(lines(dir).length, 2);
    });

    it('comes back after a restart with its updates, the log compacted to each message’s latest version', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      const code = { path: 'a.ts', startLine: 1, endLine: 1, language: 'ts' };
      const a = add(h1, { text: 'secret plans', code, files: [{ name: 'plans.pdf', size: 1 }] });
      const b = add(h1, { text: 'typo', to: [BOB] });
      const c = add(h1, { text: 'fine', to: '#ops', thread: a.id });
      const deleted = change(h1, a.seq, { deleted: true });
      const edited = change(h1, b.seq, { text: 'no typo', edited: 42 });
      h1.flush(); // the relay's next turn
      assert.ok(!fs.readFileSync(path.join(dir, LOG), 'utf8').includes('secret plans'), 'a deleted message leaves the disk at once in a small log');
      h1.close();

      const h2 = history({ dir });
      assert.equal(h2.seq, edited);
      assert.deepEqual(h2.latest(a.seq), h1.latest(a.seq));
      assert.deepEqual([h2.latest(a.seq)?.deleted, h2.latest(a.seq)?.text], [true, '']);
      assert.equal(h2.latest(b.seq)?.text, 'no typo');
      assert.deepEqual(h2.find(c.seq)?.conv, '#ops');
      assert.deepEqual(
        decode(h2.replayFor(BOB, c.seq, everyone).frames).map((f) => f.seq),
        [deleted, edited],
      );
      const onDisk = lines(dir);
      assert.deepEqual(onDisk[0], { ref: a.ref, id: a.id, seq: a.seq, ts: a.ts, from: ALICE, fromName: 'alice', to: 'all', text: '', deleted: true });
      assert.deepEqual(onDisk[1], { ref: b.ref, id: b.id, seq: b.seq, ts: b.ts, from: ALICE, fromName: 'alice', to: [BOB], text: 'no typo', edited: 42 });
      assert.deepEqual(onDisk.slice(3), [
        { seq: deleted, ts: onDisk[3].ts, update: a.seq },
        { seq: edited, ts: onDisk[4].ts, update: b.seq },
      ]);
      h2.close();
      // Without the store's state (lost, say) the log alone still says what the messages became.
      states.clear();
      const h3 = history({ dir });
      assert.deepEqual([h3.latest(a.seq)?.deleted, h3.latest(a.seq)?.text, h3.latest(b.seq)?.text, h3.latest(b.seq)?.edited], [true, '', 'no typo', 42]);
    });

    it('drops update records of messages retention dropped when it compacts, and sets damaged update lines aside', function () {
      const dir = tempDir(cleanup);
      const h1 = history({ dir });
      const a = add(h1);
      const b = add(h1);
      change(h1, a.seq, { text: 'x', edited: 1 });
      const kept = change(h1, b.seq, { text: 'y', edited: 1 });
      h1.close();
      fs.appendFileSync(path.join(dir, LOG), '{"seq":9,"ts":1,"update":"not a seq"}\n');
      const log = new LogCapture();
      const h2 = history({ dir, maxEntries: 3, logger: log });
      assert.equal(log.find('history log was damaged; loaded every whole record and set the damaged lines aside').length, 1);
      assert.deepEqual(
        lines(dir).map((l) => l.seq),
        [b.seq, kept],
        'a was dropped, and the update of it with it',
      );
      assert.equal(h2.latest(b.seq)?.text, 'y');
    });
  });

  it('HistoryLog reads a log in chunks of any size: lines across chunk boundaries, damage and a torn tail', function () {
    const dir = tempDir(cleanup);
    const records = Array.from({ length: 40 }, (_, i) => ({ seq: i + 1, text: 'é😀"'.repeat(i % 7) }));
    const body = records.map((r) => JSON.stringify(r) + '\n').join('');
    fs.writeFileSync(path.join(dir, LOG), body.replace('{"seq":7,', '{"seq":7,,') + '{"seq":41');
    for (const [round, chunk] of [1, 2, 7, 64, 4096].entries()) {
      const log = new HistoryLog(dir, silentLogger);
      const got: { value: unknown; bytes: number }[] = [];
      const result = log.load((value, bytes) => got.push({ value, bytes }) > 0, chunk);
      log.close();
      const whole = records.filter((r) => r.seq !== 7);
      assert.deepEqual(
        got.map((g) => g.value),
        whole,
        `chunks of ${chunk}`,
      );
      assert.deepEqual(
        got.map((g) => g.bytes),
        whole.map((r) => Buffer.byteLength(JSON.stringify(r)) + 1),
      );
      // The torn tail is cut off the first time; the damaged line inside stays until a compaction.
      assert.deepEqual(result, { records: 39, damaged: round === 0 ? 2 : 1 });
    }
    assert.ok(!fs.readFileSync(path.join(dir, LOG), 'utf8').endsWith('{"seq":41'), 'the torn tail was cut off');
  });
});
