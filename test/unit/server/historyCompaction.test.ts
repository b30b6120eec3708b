import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/net/logger';
import { HistoryEntry, HistoryOptions, MessageHistory } from '../../../src/server/history';
import type { MessageState } from '../../../src/server/teamStore';
import { appendMessage } from '../helpers/historyMessages';
import { tempDir, useCleanup } from '../helpers/loopback';

/**
 * A large log is compacted a step per relay turn: appends go on meanwhile (to the old log, and
 * into the new one), the new log ends up with exactly what the history holds, and a relay that
 * stops half way leaves the old log whole.
 */

const LOG = 'history.jsonl';

describe('MessageHistory log compaction', function () {
  const cleanup = useCleanup();
  let states: Map<number, MessageState>;
  let wakes: number;
  beforeEach(() => {
    states = new Map();
    wakes = 0;
  });

  function history(options: Partial<HistoryOptions>): MessageHistory {
    const h = new MessageHistory({ logger: silentLogger, state: (seq) => states.get(seq), wake: () => wakes++, ...options });
    cleanup.add('history', () => h.close());
    return h;
  }

  /** A message of about 200 characters: the log grows quickly enough to be compacted. */
  const add = (h: MessageHistory, text = 'x'.repeat(200)): HistoryEntry => appendMessage(h, (seq) => ({ text: `${seq} ${text}` }));

  const lines = (dir: string) =>
    fs
      .readFileSync(path.join(dir, LOG), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as HistoryEntry);
  const temps = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  it('rewrites a large log a step a turn, appends going on meanwhile, and ends with what is held', function () {
    const dir = tempDir(cleanup);
    const h = history({ dir, maxEntries: 10_000 });
    let steps = 0;
    let finished = 0;
    let deleted: HistoryEntry | undefined;
    for (let i = 0; i < 45_000; i++) {
      add(h);
      if (i % 50 !== 0) continue;
      const under = temps(dir).length === 1;
      const before = wakes;
      h.flush();
      if (under && temps(dir).length === 0) {
        // Just finished: the log holds what the history holds, in order, and of what retention
        // dropped meanwhile only what the rewrite had copied before (loading drops it again).
        finished++;
        const messages = lines(dir).filter((l) => l.id !== undefined);
        assert.deepEqual(
          messages.filter((l) => l.seq >= h.oldestSeq).map((l) => l.seq),
          h.all().map((e) => e.seq),
        );
        assert.ok(messages.length - h.all().length < 1000, `${messages.length} messages in the log for ${h.all().length} held`);
        if (deleted && finished === 2) assert.ok(!fs.readFileSync(path.join(dir, LOG), 'utf8').includes(deleted.text), 'the deleted text left the disk');
      }
      if (wakes === before) continue;
      // A step of a compaction under way: the old log still has every record, the new one is
      // being written beside it.
      steps++;
      assert.equal(temps(dir).length, 1);
      assert.equal(lines(dir).at(-1)?.seq, h.seq, 'appends go on to the old log');
      if (!deleted) {
        // Deleted after the rewrite copied it: its text stays until the next compaction.
        deleted = h.all()[0];
        states.set(deleted.seq, { deleted: true });
        h.appendUpdate(deleted.seq, Date.now());
        assert.ok(fs.readFileSync(path.join(dir, LOG), 'utf8').includes(deleted.text));
      }
    }
    assert.ok(finished >= 2 && steps >= 2 * finished, `${finished} compactions in ${steps} steps`);
  });

  it('gives up a compaction under way when it closes: the old log is whole and the temp file gone', function () {
    const dir = tempDir(cleanup);
    const h1 = history({ dir, maxEntries: 5000 });
    for (let i = 0; i < 12_000; i++) add(h1);
    const before = wakes;
    h1.flush(); // the log holds 12,000 lines for 5,000 records: a compaction starts
    assert.ok(wakes > before && temps(dir).length === 1, 'a compaction is under way');
    const held = h1.all();
    h1.close();
    assert.deepEqual(temps(dir), []);
    assert.equal(lines(dir).length, 12_000, 'the old log, whole');
    const h2 = history({ dir, maxEntries: 5000 });
    assert.deepEqual(h2.all(), held);
    assert.equal(lines(dir).length, 5000, 'compacted at start instead');
  });
});
