import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describeCodeRange } from '../../../src/model/codeLines';
import { CardFacts, cardStatus, cardTitle, renameNote } from '../../../src/model/fileCardText';
import { describeFiles, describeWhat, formatBytes } from '../../../src/model/fileSizes';
import { savedPlaces } from '../../../src/model/savedPlaces';

const base: CardFacts = {
  direction: 'in',
  peerName: 'bob',
  what: 'notes.txt',
  size: '12 KB',
  state: 'offered',
  bytes: 0,
  total: 12_288,
  rate: 0,
  etaSeconds: undefined,
};
const status = (facts: Partial<CardFacts>) => cardStatus({ ...base, ...facts });

describe('file card words', () => {
  it('titles say who offers what, and how big', () => {
    assert.equal(cardTitle(base), 'bob offers notes.txt (12 KB)');
    assert.equal(cardTitle({ ...base, direction: 'out' }), 'You offer notes.txt (12 KB) to bob');
  });

  it('progress and waiting, in both directions', () => {
    assert.deepEqual(status({}), { status: 'Waiting for your answer.', tone: 'neutral' });
    assert.equal(status({ direction: 'out', state: 'waiting' }).status, 'Waiting for bob to accept…');
    assert.equal(status({ state: 'moving', bytes: 6144 }).status, 'Receiving… 50%');
    assert.equal(
      status({ direction: 'out', state: 'moving', bytes: 3072, rate: 2 * 1024 * 1024, etaSeconds: 4.2 }).status,
      'Sending… 25% · 2.0 MB/s · 5 s left',
    );
    assert.equal(status({ state: 'interrupted' }).status, 'Connection lost; continues when bob is back.');
  });

  it('declined, cancelled and expired are outcomes (neutral); only a failure is an error', () => {
    assert.deepEqual(status({ state: 'declined', endedBy: 'you', reason: 'declined' }), { status: 'You declined.', tone: 'neutral' });
    assert.deepEqual(status({ direction: 'out', state: 'declined', reason: 'declined' }), { status: 'bob declined.', tone: 'neutral' });
    assert.equal(status({ direction: 'out', state: 'declined', reason: 'not enough disk space' }).status, 'bob declined: not enough disk space');
    assert.equal(status({ direction: 'out', state: 'declined', reason: 'not answered' }).status, 'bob did not answer.');
    assert.deepEqual(status({ state: 'cancelled', endedBy: 'peer' }), { status: 'bob cancelled.', tone: 'neutral' });
    assert.equal(status({ state: 'cancelled', endedBy: 'you' }).status, 'You cancelled.');
    assert.equal(
      status({ state: 'cancelled', endedBy: 'connection', reason: 'the connection was lost before the offer was answered' }).status,
      'Stopped: the connection was lost before the offer was answered.',
    );
    assert.deepEqual(status({ state: 'expired' }), { status: 'The offer expired before it was answered.', tone: 'neutral' });
    assert.deepEqual(status({ state: 'failed', reason: 'the disk is full' }), { status: 'Failed: the disk is full', tone: 'error' });
    for (const state of ['declined', 'cancelled', 'expired'] as const) {
      for (const direction of ['in', 'out'] as const) assert.doesNotMatch(status({ state, direction, reason: 'declined' }).status, /fail|error/i);
    }
  });

  it('done: where it went, or that it arrived verified', () => {
    const place = { name: 'notes.txt', path: '/dl/notes.txt', folder: false };
    assert.deepEqual(status({ state: 'done', saved: [place], folder: '/dl' }), { status: 'Saved to /dl/notes.txt', tone: 'success' });
    assert.equal(status({ state: 'done', saved: [place, { ...place, name: 'b', path: '/dl/b' }], folder: '/dl' }).status, 'Saved to /dl');
    assert.deepEqual(status({ direction: 'out', state: 'done' }), { status: 'Delivered; checksums verified.', tone: 'success' });
  });

  it('a renamed place says why: the name existed, or the disk cannot take it', () => {
    assert.equal(renameNote({ name: 'notes.txt', path: '/dl/notes.txt', folder: false }), undefined);
    assert.equal(renameNote({ name: 'notes (1).txt', path: '', folder: false, offeredName: 'notes.txt' }), 'saved as notes (1).txt: notes.txt already exists');
    assert.equal(renameNote({ name: 'v1.2 (3)', path: '', folder: true, offeredName: 'v1.2' }), 'saved as v1.2 (3): v1.2 already exists');
    assert.equal(renameNote({ name: 'a_b.txt', path: '', folder: false, offeredName: 'a:b.txt' }), 'saved as a_b.txt: a:b.txt is not a valid name here');
  });

  it('what an offer holds: one file, a folder, loose files; sizes', () => {
    assert.equal(describeWhat(['notes.txt']), 'notes.txt');
    assert.equal(describeWhat(['docs/a.md', 'docs/b/c.md']), 'folder docs (2 files)');
    assert.equal(describeWhat(['a.md', 'b.md', 'c.md']), '3 files');
    assert.equal(describeFiles(['notes.txt'], 12_288), 'notes.txt (12 KB)');
    assert.deepEqual([0, 1023, 1536, 10 * 1024 * 1024, 3 * 1024 ** 4].map(formatBytes), ['0 B', '1023 B', '1.5 KB', '10 MB', '3.0 TB']);
  });

  it('shared code names its whole range', () => {
    assert.equal(describeCodeRange({ path: 'src/a.ts', startLine: 10, endLine: 24 }), 'src/a.ts, lines 10–24');
    assert.equal(describeCodeRange({ path: 'src/a.ts', startLine: 7, endLine: 7 }), 'src/a.ts, line 7');
  });
});

describe('savedPlaces', () => {
  const dl = path.resolve('/tmp/dl');
  const file = (name: string, onDisk: string) => ({ name, path: path.join(dl, ...onDisk.split('/')), size: 1, sha256: '' });

  it('a folder offer is one place, loose files one each; new names are noted', () => {
    assert.deepEqual(savedPlaces(dl, [file('docs/a.md', 'docs (2)/a.md'), file('docs/sub/b.md', 'docs (2)/sub/b.md')]), {
      places: [{ name: 'docs (2)', path: path.join(dl, 'docs (2)'), folder: true, offeredName: 'docs' }],
      more: 0,
    });
    assert.deepEqual(savedPlaces(dl, [file('a.md', 'a.md'), file('b.md', 'b (1).md')]).places, [
      { name: 'a.md', path: path.join(dl, 'a.md'), folder: false },
      { name: 'b (1).md', path: path.join(dl, 'b (1).md'), folder: false, offeredName: 'b.md' },
    ]);
  });

  it('lists at most 20 loose files and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => file(`f${i}.txt`, `f${i}.txt`));
    const { places, more } = savedPlaces(dl, many);
    assert.equal(places.length, 20);
    assert.equal(more, 5);
  });
});
