import { strict as assert } from 'node:assert';
import {
  channelOf,
  conversationIdFor,
  conversationIdForChannel,
  conversationIdForKey,
  conversationKeyFor,
  conversationKind,
  isChannelConversation,
  isConversationId,
  membersOf,
  targetsFor,
} from '../../../src/model/conversationIds';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);

describe('conversation ids of channels and relay keys', function () {
  it('names a channel channel:<id>, and #general is always all', function () {
    assert.equal(conversationIdForChannel('c1'), 'channel:c1');
    assert.equal(conversationIdForChannel('general'), 'all');
    assert.equal(conversationIdFor('#c1', ALICE, SELF), 'channel:c1');
    assert.equal(conversationIdFor('#general', ALICE, SELF), 'all');
    assert.equal(conversationKind('channel:c1'), 'channel');
    assert.equal(channelOf('channel:c1'), 'c1');
    assert.equal(channelOf('all'), 'general');
    assert.equal(channelOf(`peer:${ALICE}`), undefined);
    assert.equal(isChannelConversation('all'), true);
    assert.equal(isChannelConversation(`group:${ALICE},${BOB}`), false);
    assert.deepEqual(membersOf('channel:c1'), []);
    assert.equal(targetsFor('channel:c1'), '#c1');
    assert.equal(targetsFor('all'), 'all');
  });

  it('refuses channel ids that are not canonical', function () {
    for (const id of ['channel:', 'channel:general', 'channel:has space', `channel:${'x'.repeat(33)}`, 'channel:a,b', 'channel:#c1']) {
      assert.equal(isConversationId(id), false, id);
    }
    assert.throws(() => targetsFor('channel:general'), TypeError);
  });

  it('turns conversations into relay keys and back', function () {
    const cases: Array<[string, string]> = [
      ['all', '#general'],
      ['channel:c1', '#c1'],
      [`peer:${ALICE}`, `@${ALICE},${SELF}`],
      [`peer:${SELF}`, `@${SELF}`],
      [`group:${ALICE},${BOB}`, `@${ALICE},${BOB},${SELF}`],
    ];
    for (const [id, key] of cases) {
      assert.equal(conversationKeyFor(id, SELF), key, id);
      assert.equal(conversationIdForKey(key, SELF), id, key);
    }
  });

  it('gives no conversation for a key the user is not in, or a malformed one', function () {
    for (const key of [`@${ALICE},${BOB}`, '@', '@,', `@${SELF},not-an-id!`, '#', '#has space', `#${'x'.repeat(40)}`, 'general', '']) {
      assert.equal(conversationIdForKey(key, SELF), undefined, key);
    }
  });
});
