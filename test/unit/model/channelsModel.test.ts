import { strict as assert } from 'node:assert';
import {
  ChannelDirectory,
  channelsToSave,
  channelView,
  compareChannels,
  conversationTitle,
  mentions,
  restoredChannels,
} from '../../../src/model/channelsModel';
import type { ChannelInfo } from '../../../src/net/protocol/conversationMessages';

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);

function channel(fields: Partial<ChannelInfo> = {}): ChannelInfo {
  return {
    id: 'c1',
    name: 'deploys',
    topic: '',
    private: false,
    archived: false,
    createdBy: ALICE,
    createdAt: 1,
    memberCount: 2,
    members: [ALICE, SELF],
    ...fields,
  };
}

const GENERAL = channel({ id: 'general', name: 'general', memberCount: 40, members: undefined });

describe('channels as the views show them', function () {
  it('shows a channel with its conversation, membership and counts', function () {
    assert.deepEqual(channelView(channel(), SELF, { unread: 3, mentions: 1 }), {
      id: 'c1',
      conversationId: 'channel:c1',
      name: 'deploys',
      topic: '',
      private: false,
      archived: false,
      createdBy: ALICE,
      creator: false,
      member: true,
      memberCount: 2,
      members: [ALICE, SELF],
      unread: 3,
      mentions: 1,
    });
    assert.equal(channelView(channel({ createdBy: SELF }), SELF, { unread: 0, mentions: 0 }).creator, true, 'the user created it');
    assert.equal(channelView(channel({ createdBy: '' }), '', { unread: 0, mentions: 0 }).creator, false, 'nobody is the creator of #general');
    assert.equal(channelView(channel({ members: [ALICE] }), SELF, { unread: 0, mentions: 0 }).member, false);
    const general = channelView(GENERAL, SELF, { unread: 0, mentions: 0 });
    assert.deepEqual([general.conversationId, general.member, 'members' in general], ['all', true, false]);
  });

  it('lists #general first, then by name', function () {
    const views = [channel({ id: 'z', name: 'zeta' }), channel({ id: 'a', name: 'alpha' }), GENERAL].map((c) =>
      channelView(c, SELF, { unread: 0, mentions: 0 }),
    );
    assert.deepEqual(
      views.sort(compareChannels).map((v) => v.name),
      ['general', 'alpha', 'zeta'],
    );
  });

  it('says whether anything changed when the relay sends the channels again', function () {
    const directory = new ChannelDirectory();
    assert.equal(directory.replaceAll([GENERAL, channel()]), true);
    assert.equal(directory.replaceAll([GENERAL, channel()]), false);
    assert.equal(directory.replaceAll([GENERAL, channel({ topic: 'ship it' })]), true);
    assert.equal(directory.get('c1')?.topic, 'ship it');
    assert.equal(directory.replaceAll([GENERAL]), true);
    assert.equal(directory.size, 1);
  });

  it('names conversations: channels by name, people by their names', function () {
    const names = {
      nameOf: (id: string) => (id === ALICE ? 'Alice' : 'Bob'),
      channel: (id: string) => (id === 'c1' ? channel() : id === 'general' ? GENERAL : undefined),
    };
    assert.equal(conversationTitle('all', names), '#general');
    assert.equal(conversationTitle('channel:c1', names), '#deploys');
    assert.equal(conversationTitle('channel:gone', names), '#gone', 'a channel not known: its id');
    assert.equal(conversationTitle(`peer:${BOB}`, names), 'Bob');
    assert.equal(conversationTitle(`group:${ALICE},${BOB}`, names), 'Alice, Bob');
  });

  it('finds "@name" mentions, not names inside words or addresses', function () {
    assert.equal(mentions('@alice look', 'Alice'), true);
    assert.equal(mentions('thanks @ALICE!', 'alice'), true);
    assert.equal(mentions('cc @Alice Smith', 'Alice Smith'), true);
    assert.equal(mentions('alice, look', 'alice'), false);
    assert.equal(mentions('@alicex', 'alice'), false);
    assert.equal(mentions('mail bob@alice', 'alice'), false);
    assert.equal(mentions('@alice_b', 'alice'), false);
    assert.equal(mentions('@', ''), false);
  });

  it('saves the channels the user is in, long member lists cut to the user', function () {
    const many = Array.from({ length: 150 }, (_, i) => `M${String(i).padStart(21, '0')}`);
    const saved = channelsToSave(
      [GENERAL, channel(), channel({ id: 'big', members: [...many, SELF], memberCount: 151 }), channel({ id: 'other', members: [ALICE] })],
      SELF,
    );
    assert.deepEqual(
      saved.map((c) => [c.id, c.members?.length]),
      [
        ['general', undefined],
        ['c1', 2],
        ['big', 1],
      ],
    );
    assert.equal(saved[2].memberCount, 151);
  });

  it('reads saved channels back one by one, leaving out the bad ones', function () {
    assert.deepEqual(restoredChannels([channel(), { id: 'x' }, null, channel({ id: 'bad id!' }), GENERAL]), [channel(), GENERAL]);
    assert.throws(() => restoredChannels({ channels: [] }), /not a list/);
  });
});
