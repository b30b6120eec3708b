import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../../src/net/logger';
import { PeerDirectory } from '../../../src/server/peerDirectory';
import { RecencyList } from '../../../src/server/recencyList';
import { tempDir, useCleanup } from '../helpers/loopback';

const id = (n: number) => `client_${String(n).padStart(12, '0')}`;

describe('RecencyList', function () {
  it('keeps keys newest first; touch moves a key to the front, delete and oldest are exact', function () {
    const list = new RecencyList<string>();
    for (const k of ['a', 'b', 'c', 'd']) list.touch(k);
    assert.deepEqual([...list.newest()], ['d', 'c', 'b', 'a']);
    assert.equal(list.oldest(), 'a');
    list.touch('b');
    assert.deepEqual([...list.newest()], ['b', 'd', 'c', 'a']);
    list.touch('b');
    assert.deepEqual([...list.newest()], ['b', 'd', 'c', 'a'], 'touching the newest changes nothing');
    assert.equal(list.delete('a'), true);
    assert.equal(list.delete('a'), false);
    assert.equal(list.oldest(), 'c');
    assert.equal(list.delete('b'), true);
    assert.deepEqual([...list.newest()], ['d', 'c']);
    assert.equal(list.size, 2);
    list.delete('d');
    list.delete('c');
    assert.equal(list.oldest(), undefined);
    assert.deepEqual([...list.newest()], []);
    list.touch('x');
    assert.deepEqual([...list.newest()], ['x']);
    assert.equal(list.oldest(), 'x');
  });
});

describe('PeerDirectory', function () {
  const cleanup = useCleanup();

  function open(dir: string | undefined, epoch = 'epoch-1', maxPeers?: number): PeerDirectory {
    const directory = new PeerDirectory(epoch, dir, silentLogger, maxPeers);
    cleanup.add('peer directory', () => directory.close());
    return directory;
  }

  it('lists the most recently seen offline identities first, bounded, without the online ones', function () {
    const d = open(undefined);
    for (let i = 0; i < 10; i++) d.seen(id(i), `p${i}`, 'm', 1000 + i, 0);
    assert.deepEqual(d.recentOffline(5), [], 'everyone is online');
    for (let i = 0; i < 10; i++) d.left(id(i), 2000 + i);
    d.seen(id(8), 'p8', 'm', 3000, 0); // back online
    assert.deepEqual(
      d.recentOffline(3).map((p) => p.name),
      ['p9', 'p7', 'p6'],
    );
    assert.equal(d.recentOffline(100).length, 9);
    assert.equal(d.isOffline(id(8)), false);
    assert.equal(d.isOffline(id(7)), true);
    assert.equal(d.offlinePeer(id(8)), undefined, 'an online identity is not an offline peer');
    assert.deepEqual(d.offlinePeer(id(7)), { clientId: id(7), name: 'p7', machine: 'm', lastSeen: 2007 });
    assert.deepEqual(
      [...d.offlineNewestFirst()].map((p) => p.name),
      ['p9', 'p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1', 'p0'],
    );
  });

  it("a welcome's known list: the most recent offline identities, plus the watched offline ones, no more", function () {
    const d = open(undefined);
    for (let i = 0; i < 250; i++) {
      d.seen(id(i), `p${i}`, 'm', i, 0);
      d.left(id(i), 1000 + i);
    }
    d.seen(id(0), 'p0', 'm', 5000, 0); // the oldest-but-one comes back online
    const known = d.recentOfflineAnd(200, new Set([id(1), id(0), id(249), id(999)]));
    assert.equal(known.length, 201, '200 recent and one watched that is older; the online and the unknown are left out');
    assert.equal(known[0].clientId, id(249));
    assert.equal(known[199].clientId, id(50));
    assert.equal(known[200].clientId, id(1));
    assert.deepEqual(
      d.offlineAmong([id(0), id(1), id(1), id(999)]).map((k) => k.clientId),
      [id(1)],
    );
  });

  it('over its cap evicts the identity offline the longest, never an online one', function () {
    const d = open(undefined, 'e', 3);
    d.seen(id(1), 'one', '', 1, 0);
    d.seen(id(2), 'two', '', 2, 0);
    d.left(id(2), 3);
    d.left(id(1), 4); // id(2) has now been offline the longest
    d.seen(id(3), 'three', '', 5, 0);
    d.seen(id(4), 'four', '', 6, 0);
    assert.equal(d.has(id(2)), false);
    assert.equal(d.has(id(1)), true);
    d.seen(id(1), 'one', '', 7, 0);
    d.seen(id(5), 'five', '', 8, 0);
    assert.equal(d.size, 4, 'everyone left is online: nobody is evicted');
  });

  it('journals a new member instead of rewriting the whole file, and the journal survives a crash', function () {
    const dir = tempDir(cleanup);
    const d = open(dir);
    for (let i = 0; i < 50; i++) d.seen(id(i), `p${i}`, 'm', 1000 + i, 7);
    assert.equal(fs.existsSync(path.join(dir, 'peers.json')), false, 'no snapshot was written per join');
    const journal = path.join(dir, 'peers.journal');
    assert.equal(fs.existsSync(journal), false, 'nothing is written before the flush');
    d.flush();
    assert.equal(fs.readFileSync(journal, 'utf8').trim().split('\n').length, 50, 'one line per new member');
    d.seen(id(0), 'p0 renamed', 'm', 2000, 7);
    d.flush();
    assert.equal(fs.readFileSync(journal, 'utf8').trim().split('\n').length, 50, 'a returning member is not journaled again');

    // A "crash": another directory loads what is on disk now, without the first one closing.
    const after = new PeerDirectory('epoch-1', dir, silentLogger);
    try {
      for (let i = 0; i < 50; i++) assert.equal(after.has(id(i)), true, `member ${i} survived`);
      assert.equal(after.get(id(3))?.deliveredSeq, 7);
      assert.equal(after.recentOffline(1)[0].clientId, id(49), 'loaded identities are offline, newest first');
    } finally {
      after.close();
    }
    // That load folded the journal into a snapshot and emptied it.
    assert.equal(fs.readFileSync(journal, 'utf8'), '');
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'peers.json'), 'utf8')).peers.length, 50);
  });

  it('ignores a journal of another history epoch and a torn last line', function () {
    const dir = tempDir(cleanup);
    const good = JSON.stringify({ epoch: 'epoch-1', peer: { clientId: id(1), name: 'one', machine: '', lastSeen: 1, deliveredSeq: 0 } });
    const other = JSON.stringify({ epoch: 'epoch-0', peer: { clientId: id(2), name: 'two', machine: '', lastSeen: 1, deliveredSeq: 0 } });
    fs.writeFileSync(path.join(dir, 'peers.journal'), `${good}\n${other}\n{"epoch":"epoch-1","peer":{"clientId":"cl`);
    const d = open(dir);
    assert.equal(d.has(id(1)), true);
    assert.equal(d.has(id(2)), false);
    assert.equal(d.size, 1);
  });
});
