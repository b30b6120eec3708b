import { strict as assert } from 'node:assert';
import { Drafts } from '../../../src/model/drafts';
import { silentLogger } from '../../../src/net/logger';
import type { Attachment } from '../../../src/net/protocol/richMessages';
import { MemoryState } from '../helpers/savedState';

/** Composer drafts kept in the workspace's state: per conversation, across a restart, bounded, and never a crash over what was saved. */
describe('Drafts', function () {
  const image = (n: number): Attachment => ({
    id: `img${n}`,
    kind: 'image',
    name: `shot-${n}.png`,
    size: 100 + n,
    mime: 'image/png',
    sha256: n.toString(16).padStart(2, '0').repeat(32),
    thumb: 'AAAA',
    thumbMime: 'image/png',
  });

  it('keeps text and images per conversation across a restart, and forgets an emptied one', () => {
    const state = new MemoryState();
    const drafts = new Drafts(state, silentLogger);
    drafts.set('all', { text: 'half a thought', attachments: [] });
    drafts.set('peer:bob', { text: '', attachments: [image(1), image(2)] });
    const restarted = new Drafts(state, silentLogger);
    assert.deepEqual(restarted.get('all'), { text: 'half a thought', attachments: [] });
    assert.deepEqual(
      restarted.get('peer:bob')?.attachments.map((a) => a.id),
      ['img1', 'img2'],
    );
    restarted.set('all', { text: '', attachments: [] });
    assert.equal(new Drafts(state, silentLogger).get('all'), undefined);
    assert.deepEqual(
      new Drafts(state, silentLogger).all().map(([id]) => id),
      ['peer:bob'],
    );
  });

  it('keeps at most 50 conversations, dropping the least recently changed', () => {
    const state = new MemoryState();
    const drafts = new Drafts(state, silentLogger);
    for (let i = 0; i < 60; i++) drafts.set(`channel:c${i}`, { text: `draft ${i}`, attachments: [] });
    const ids = new Drafts(state, silentLogger).all().map(([id]) => id);
    assert.equal(ids.length, 50);
    assert.equal(ids[0], 'channel:c10');
    assert.equal(ids.at(-1), 'channel:c59');
  });

  it('starts with none when what was saved is not drafts', () => {
    for (const bad of [42, 'x', null, [['all', { text: 5 }]], [['all', { text: 'ok', attachments: [{ id: '../x' }] }]]]) {
      const state = new MemoryState();
      state.values.set('teamMessenger.drafts', bad);
      const drafts = new Drafts(state, silentLogger);
      assert.deepEqual(drafts.all(), [], JSON.stringify(bad));
      assert.equal(state.values.has('teamMessenger.drafts'), false, 'and the bad value is cleared');
    }
  });
});
