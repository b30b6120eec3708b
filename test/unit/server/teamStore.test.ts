import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { generateIdentity } from '../../../src/net/identity';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { DiskTeamStore } from '../../../src/server/diskTeamStore';
import { MemoryTeamStore } from '../../../src/server/memoryTeamStore';
import { StoreWrites } from '../../../src/server/storeWrites';
import type { ChannelRecord, TeamStore } from '../../../src/server/teamStore';
import { tempDir, useCleanup } from '../helpers/loopback';
import { LogCapture } from '../helpers/security';

const ALICE = generateIdentity().clientId;
const BOB = generateIdentity().clientId;
const CAROL = generateIdentity().clientId;

function channel(id: string, members: string[], extra: Partial<ChannelRecord> = {}): ChannelRecord {
  return { id, name: id, topic: '', private: false, archived: false, createdBy: ALICE, createdAt: 1, members: new Set(members), ...extra };
}

/** The same behaviour from both stores. */
function behavesAsAStore(make: () => TeamStore): void {
  it('has #general from the start, public, with nobody listed (everyone is in it)', function () {
    const general = make().channel('general');
    assert.ok(general);
    assert.equal(general.name, 'general');
    assert.equal(general.private, false);
    assert.equal(general.members.size, 0);
  });

  it('keeps channels as put, replacing a channel by its id', function () {
    const store = make();
    store.putChannel(channel('c1', [ALICE]));
    store.putChannel(channel('c1', [ALICE, BOB], { topic: 'deploys' }));
    assert.deepEqual([...store.channel('c1')!.members], [ALICE, BOB]);
    assert.equal(store.channel('c1')!.topic, 'deploys');
    assert.deepEqual([...store.channels()].map((c) => c.id).sort(), ['c1', 'general']);
  });

  it('moves read markers forward only', function () {
    const store = make();
    assert.equal(store.setReadMarker(ALICE, '#general', 10), true);
    assert.equal(store.setReadMarker(ALICE, '#general', 5), false, 'back is refused');
    assert.equal(store.setReadMarker(ALICE, '#general', 10), false, 'the same is no move');
    assert.equal(store.readMarker(ALICE, '#general'), 10);
    assert.equal(store.readMarker(BOB, '#general'), 0);
    assert.equal(store.readMarkerCount(ALICE), 1);
    assert.deepEqual([...store.readMarkersOf(ALICE)], [['#general', 10]]);
  });

  it('indexes markers of direct and small group conversations by conversation and participant, not of channels', function () {
    const store = make();
    const direct = peopleKey([ALICE, BOB]);
    store.setReadMarker(ALICE, direct, 3);
    store.setReadMarker(BOB, direct, 4);
    store.setReadMarker(ALICE, '#general', 9);
    assert.deepEqual(
      new Map(store.readMarkersIn(direct)),
      new Map([
        [ALICE, 3],
        [BOB, 4],
      ]),
    );
    assert.deepEqual([...store.readMarkersIn('#general')], []);
    assert.deepEqual([...store.smallConversationsWith(BOB)], [direct]);
    assert.deepEqual([...store.smallConversationsWith(CAROL)], []);
    const big = peopleKey(Array.from({ length: 10 }, () => generateIdentity().clientId).concat(ALICE));
    store.setReadMarker(ALICE, big, 1);
    assert.deepEqual([...store.readMarkersIn(big)], [], 'ten or more people: no receipts kept');
  });

  it('remembers who turned read receipts off', function () {
    const store = make();
    assert.equal(store.sendsReceipts(ALICE), true);
    store.setSendsReceipts(ALICE, false);
    assert.equal(store.sendsReceipts(ALICE), false);
    store.setSendsReceipts(ALICE, true);
    assert.equal(store.sendsReceipts(ALICE), true);
  });

  it('keeps message states and forgets those of messages retention dropped', function () {
    const store = make();
    store.setMessageState(7, { text: 'seven', edited: 70 });
    store.setMessageState(3, { reactions: [{ emoji: '👍', by: [BOB] }] });
    store.setMessageState(12, { deleted: true });
    store.forgetMessagesUpTo(7);
    assert.equal(store.messageState(3), undefined);
    assert.equal(store.messageState(7), undefined);
    assert.deepEqual(store.messageState(12), { deleted: true });
  });
}

describe('team store', function () {
  const cleanup = useCleanup();

  describe('in memory', function () {
    behavesAsAStore(() => new MemoryTeamStore());
  });

  describe('on disk', function () {
    behavesAsAStore(() => new DiskTeamStore(tempDir(cleanup), new LogCapture()));

    /** Everything a store can hold, in `store`. */
    function fill(store: TeamStore): void {
      store.putChannel(channel('c1', [ALICE, BOB], { private: true, topic: 'secret plans' }));
      store.putChannel(channel('c2', [ALICE]));
      store.putChannel(channel('c2', [BOB], { name: 'renamed', archived: true }));
      store.putChannel({ ...store.channel('general')!, topic: 'everyone' });
      store.setReadMarker(ALICE, '#c1', 5);
      store.setReadMarker(BOB, peopleKey([ALICE, BOB]), 8);
      store.setSendsReceipts(BOB, false);
      store.setMessageState(4, { text: 'edited', edited: 40, reactions: [{ emoji: ':tada:', by: [ALICE, BOB] }] });
      store.setMessageState(6, { replies: { count: 2, lastTs: 60, by: [BOB] } });
      store.flush();
    }

    function assertFilled(store: TeamStore): void {
      assert.deepEqual(
        [...store.channels()].map((c) => [c.id, c.name, c.topic, c.private, c.archived, [...c.members].sort()]).sort(),
        [
          ['c1', 'c1', 'secret plans', true, false, [ALICE, BOB].sort()],
          ['c2', 'renamed', '', false, true, [BOB]],
          ['general', 'general', 'everyone', false, false, []],
        ].sort(),
      );
      assert.equal(store.readMarker(ALICE, '#c1'), 5);
      assert.deepEqual(new Map(store.readMarkersIn(peopleKey([ALICE, BOB]))), new Map([[BOB, 8]]));
      assert.equal(store.sendsReceipts(BOB), false);
      assert.deepEqual(store.messageState(4), { text: 'edited', edited: 40, reactions: [{ emoji: ':tada:', by: [ALICE, BOB] }] });
      assert.deepEqual(store.messageState(6), { replies: { count: 2, lastTs: 60, by: [BOB] } });
    }

    it('keeps everything across a restart', function () {
      const dir = tempDir(cleanup);
      const first = new DiskTeamStore(dir, new LogCapture());
      fill(first);
      first.close();
      assertFilled(new DiskTeamStore(dir, new LogCapture()));
    });

    it('keeps what was flushed when the process dies without closing', function () {
      const dir = tempDir(cleanup);
      fill(new DiskTeamStore(dir, new LogCapture()));
      assertFilled(new DiskTeamStore(dir, new LogCapture()));
    });

    it('writes nothing before flush(), so nothing unflushed survives', function () {
      const dir = tempDir(cleanup);
      const store = new DiskTeamStore(dir, new LogCapture());
      store.setReadMarker(ALICE, '#general', 3);
      assert.equal(new DiskTeamStore(dir, new LogCapture()).readMarker(ALICE, '#general'), 0);
    });

    it('sets damaged lines aside with a clear log line and loads every whole one', function () {
      const dir = tempDir(cleanup);
      fill(new DiskTeamStore(dir, new LogCapture()));
      const file = path.join(dir, 'team.jsonl');
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.splice(1, 0, '{"read":{"by":"x","conv":"#general","seq":-1}}', 'not json at all');
      fs.writeFileSync(file, lines.join('\n') + '{"read":{"by":"' + CAROL + '","conv":"#gen');
      const logger = new LogCapture();
      const store = new DiskTeamStore(dir, logger);
      assertFilled(store);
      const warning = logger.find('team store journal was damaged; loaded every whole line and set the damaged ones aside');
      assert.equal(warning.length, 1, JSON.stringify(logger.entries));
      assert.equal(warning[0].fields.damagedLines, 3);
      const setAside = fs.readdirSync(dir).filter((f) => f.startsWith('team.damaged-'));
      assert.equal(setAside.length, 1);
      assert.match(fs.readFileSync(path.join(dir, setAside[0]), 'utf8'), /not json at all/);
      // The next flush rewrites the journal without the damage: a later start finds none.
      store.setReadMarker(CAROL, '#general', 1);
      store.flush();
      const quiet = new LogCapture();
      assertFilled(new DiskTeamStore(dir, quiet));
      assert.equal(quiet.find('team store journal was damaged; loaded every whole line and set the damaged ones aside').length, 0);
    });

    it('rewrites the journal as a snapshot once it has grown far past what it holds', function () {
      const dir = tempDir(cleanup);
      const store = new DiskTeamStore(dir, new LogCapture());
      for (let seq = 1; seq <= 3000; seq++) {
        store.setReadMarker(ALICE, '#general', seq);
        store.flush();
      }
      const lines = fs.readFileSync(path.join(dir, 'team.jsonl'), 'utf8').split('\n').filter(Boolean).length;
      assert.ok(lines < 1500, `the journal has ${lines} lines for one marker and #general`);
      assert.equal(new DiskTeamStore(dir, new LogCapture()).readMarker(ALICE, '#general'), 3000);
    });

    it("leaves no trace of a deleted message's edited text in its file", function () {
      const dir = tempDir(cleanup);
      const store = new DiskTeamStore(dir, new LogCapture());
      store.setMessageState(5, { text: 'the password is hunter2', edited: 1 });
      store.flush();
      assert.match(fs.readFileSync(path.join(dir, 'team.jsonl'), 'utf8'), /hunter2/);
      store.setMessageState(5, { deleted: true });
      store.flush();
      assert.doesNotMatch(fs.readFileSync(path.join(dir, 'team.jsonl'), 'utf8'), /hunter2/);
      assert.deepEqual(new DiskTeamStore(dir, new LogCapture()).messageState(5), { deleted: true });
    });

    it('a write that fails is cut back off the file, undone in memory and thrown; the next one works', function () {
      const dir = tempDir(cleanup);
      const store = new DiskTeamStore(dir, new LogCapture());
      store.setReadMarker(ALICE, '#general', 1);
      store.flush();
      const file = path.join(dir, 'team.jsonl');
      const before = fs.readFileSync(file);

      store.putChannel(channel('c1', [ALICE]));
      store.setReadMarker(ALICE, '#general', 2);
      store.setSendsReceipts(ALICE, false);
      store.setMessageState(9, { deleted: true });
      // The module object itself (an `import *` namespace cannot be written to).
      const nodeFs = createRequire(__filename)('node:fs') as { writeSync: typeof fs.writeSync };
      const realWrite = nodeFs.writeSync;
      let calls = 0;
      // A full disk: the first write takes part of the batch, the next one fails.
      (nodeFs as { writeSync: unknown }).writeSync = (fd: number, buffer: Buffer, offset: number, length: number) => {
        if (++calls > 1) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return realWrite(fd, buffer, offset, Math.ceil(length / 2));
      };
      try {
        assert.throws(() => store.flush(), /no space left/);
      } finally {
        nodeFs.writeSync = realWrite;
      }
      assert.deepEqual(fs.readFileSync(file), before, 'the partial write was cut back off');
      assert.equal(store.channel('c1'), undefined, 'the new channel is undone');
      assert.equal(store.readMarker(ALICE, '#general'), 1, 'the marker is back');
      assert.equal(store.sendsReceipts(ALICE), true);
      assert.equal(store.messageState(9), undefined);

      store.setReadMarker(ALICE, '#general', 3);
      store.flush();
      const again = new DiskTeamStore(dir, new LogCapture());
      assert.equal(again.readMarker(ALICE, '#general'), 3);
      assert.equal(again.channel('c1'), undefined);
    });
  });

  describe('writes before announcements', function () {
    it('runs what waits for a write once it is written, and refuses it when the write fails', function () {
      const dir = tempDir(cleanup);
      const store = new DiskTeamStore(dir, new LogCapture());
      const logger = new LogCapture();
      let wakes = 0;
      const writes = new StoreWrites(store, logger, () => wakes++);
      const heard: string[] = [];
      store.setReadMarker(ALICE, '#general', 1);
      writes.after(
        () => heard.push('stored 1'),
        (reason) => heard.push(`refused 1: ${reason}`),
      );
      assert.equal(wakes, 1, 'a turn is asked for');
      assert.equal(heard.length, 0, 'nothing before the write');
      writes.flush();
      assert.deepEqual(heard, ['stored 1']);

      store.setReadMarker(ALICE, '#general', 2);
      writes.after(
        () => heard.push('stored 2'),
        (reason) => heard.push(`refused 2: ${reason}`),
      );
      const nodeFs = createRequire(__filename)('node:fs') as { writeSync: typeof fs.writeSync };
      const realWrite = nodeFs.writeSync;
      (nodeFs as { writeSync: unknown }).writeSync = () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      };
      try {
        writes.flush();
      } finally {
        nodeFs.writeSync = realWrite;
      }
      assert.deepEqual(heard, ['stored 1', "refused 2: the relay's disk is full (ENOSPC)"]);
      assert.equal(store.readMarker(ALICE, '#general'), 1);
      assert.equal(logger.find('cannot write the team store; refusing changes until it can').length, 1);
      writes.flush();
      assert.equal(logger.find('the team store is written again').length, 1);
    });
  });
});
