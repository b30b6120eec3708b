import { strict as assert } from 'node:assert';
import {
  archivedChoices,
  browseItems,
  channelNameInputProblem,
  channelRefusal,
  takenNames,
  topicProblem,
  unarchiveItems,
  VISIBILITY_ITEMS,
} from '../../../src/extension/channelText';
import type { ChannelFacts } from '../../../src/model/channelNodes';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { visible } from './commandFakes';

function channel(fields: Partial<ChannelFacts> & { id: string; name: string }): ChannelFacts {
  return {
    conversationId: `channel:${fields.id}`,
    topic: '',
    private: false,
    archived: false,
    createdBy: 'O'.repeat(22),
    creator: false,
    member: false,
    memberCount: 2,
    unread: 0,
    mentions: 0,
    ...fields,
  };
}

describe('channelText', function () {
  describe('channelNameInputProblem', function () {
    const taken = new Set(['general', 'deploys']);

    it('accepts a free name, read the way people type it', function () {
      assert.equal(channelNameInputProblem('releases', taken), undefined);
      assert.equal(channelNameInputProblem(' #Releases-2024 ', taken), undefined, '"#", case and spaces around are forgiven');
      assert.equal(channelNameInputProblem('team_a', taken), undefined);
    });

    it('says nothing while nothing is typed', function () {
      assert.equal(channelNameInputProblem('', taken), undefined);
      assert.equal(channelNameInputProblem('  #', taken), undefined);
    });

    it('says what is wrong with a name that cannot be one', function () {
      assert.equal(channelNameInputProblem('my channel', taken), 'A channel name is lowercase letters, digits, "-" and "_", starting with a letter or digit');
      assert.equal(channelNameInputProblem('-x', taken), 'A channel name is lowercase letters, digits, "-" and "_", starting with a letter or digit');
      assert.equal(channelNameInputProblem('x'.repeat(81), taken), 'A channel name is at most 80 characters');
      assert.equal(channelNameInputProblem('x'.repeat(80), taken), undefined);
    });

    it('says a name is taken, whatever its case', function () {
      assert.equal(channelNameInputProblem('Deploys', taken), '#deploys is taken: pick another name');
      assert.equal(channelNameInputProblem('#general', taken), '#general is taken: pick another name');
    });
  });

  describe('takenNames', function () {
    it('holds the names of the open channels, but the one being renamed', function () {
      const channels = [channel({ id: 'a', name: 'deploys' }), channel({ id: 'b', name: 'old', archived: true }), channel({ id: 'c', name: 'ops' })];
      assert.deepEqual([...takenNames(channels)].sort(), ['deploys', 'ops'], 'an archived channel frees its name');
      assert.deepEqual([...takenNames(channels, 'c')], ['deploys'], 'renaming ops to Ops is no clash with itself');
    });
  });

  describe('topicProblem', function () {
    it('takes up to 250 characters', function () {
      assert.equal(topicProblem(''), undefined);
      assert.equal(topicProblem('é'.repeat(250)), undefined);
      assert.equal(topicProblem(`  ${'x'.repeat(250)}  `), undefined, 'spaces around are trimmed');
      assert.equal(topicProblem('x'.repeat(251)), 'A topic is at most 250 characters (this one is 251)');
    });
  });

  describe('browseItems', function () {
    it('lists #general first, then the open channels by name, joined ones marked, archived ones last, then Create', function () {
      const items = browseItems([
        channel({ id: 'b', name: 'ops', member: true, memberCount: 1, topic: 'On call' }),
        channel({ id: 'a', name: 'design', memberCount: 5 }),
        channel({ id: 'general', name: 'general', member: true, memberCount: 40 }),
        channel({ id: 'c', name: 'secret', private: true, member: true }),
        channel({ id: 'd', name: 'ancient', archived: true, member: true }),
        channel({ id: 'e', name: 'gone', archived: true }),
      ]);
      assert.deepEqual(
        items.map((i) => [visible(i.label), visible(i.description ?? '')]),
        [
          ['$(check) #general', 'joined · 40 members'],
          ['$(comment-discussion) #design', '5 members'],
          ['$(check) #ops', 'joined · 1 member'],
          ['$(check) #secret', 'joined · private · 2 members'],
          ['$(archive) #ancient', 'archived, read-only · 2 members'],
          ['$(add) Create Channel…', 'start a new one'],
        ],
      );
      assert.equal(items[0].label, '$(check) #general', 'our icon stays an icon: no joiner in it');
      assert.equal(items[1].label, '$(comment-discussion) #design');
      assert.equal(items[2].detail, 'On call');
      assert.equal(items[0].detail, undefined, 'no topic, no detail line');
      assert.equal(items[1].channel?.id, 'a');
      assert.equal(items[5].create, true);
      assert.equal(items[5].channel, undefined);
    });

    it("keeps a channel's name and topic from making icons or links", function () {
      const [item] = browseItems([channel({ id: 'x', name: '$(zap)', topic: '[x](command:evil) $(zap)' })]);
      assert.equal(visible(item.label), '$(comment-discussion) #$(zap)');
      assert.ok(!item.label.endsWith('#$(zap)'), 'the name is no icon');
      assert.doesNotMatch(item.detail ?? '', /\]\(|command:|\$\(/);
    });
  });

  it('offers public and private', function () {
    assert.deepEqual(
      VISIBILITY_ITEMS.map((i) => [visible(i.label), i.private]),
      [
        ['$(comment-discussion) Public', false],
        ['$(lock) Private', true],
      ],
    );
  });

  describe('unarchiveItems', function () {
    it('lists only archived channels the user created, by name, inert', function () {
      const items = unarchiveItems([
        channel({ id: 'z', name: 'zeta-old', archived: true, creator: true, private: true, memberCount: 1 }),
        channel({ id: 'a', name: 'alpha-old', archived: true, creator: true, topic: 'was [it](command:x)' }),
        channel({ id: 't', name: 'theirs', archived: true }),
        channel({ id: 'l', name: 'live', creator: true }),
      ]);
      assert.deepEqual(
        items.map((i) => [visible(i.label), visible(i.description!), i.channel.id]),
        [
          ['$(archive) #alpha-old', 'public · 2 members', 'a'],
          ['$(archive) #zeta-old', 'private · 1 member', 'z'],
        ],
      );
      assert.equal(visible(items[0].detail!), 'was [it](command:x)');
      assert.deepEqual(
        archivedChoices('old').map((c) => [visible(c.label), c.unarchive]),
        [
          ['$(eye) Open #old', false],
          ['$(inbox) Unarchive #old', true],
        ],
      );
    });
  });

  describe('channelRefusal', function () {
    const refused = (code: ErrorCode, message = 'refused') => new TeamMessengerError(code, message);

    it('a taken name, in words', function () {
      assert.equal(channelRefusal('create', 'deploys', refused(ErrorCode.Conflict)), '#deploys is taken: another channel has that name. Pick another name.');
      assert.equal(channelRefusal('unarchive', 'old', refused(ErrorCode.Forbidden)), 'Only the person who created #old can unarchive it.');
      assert.equal(
        channelRefusal('unarchive', 'old', refused(ErrorCode.Conflict)),
        '#old cannot be unarchived: another channel has that name now. Rename that one first.',
      );
      assert.equal(channelRefusal('rename', 'deploys', refused(ErrorCode.Conflict)), '#deploys is taken: another channel has that name. Pick another name.');
    });

    it('#general cannot be left, an archived channel cannot change', function () {
      assert.equal(channelRefusal('leave', 'general', refused(ErrorCode.Conflict)), '#general cannot be left or archived: everyone on the team is in it.');
      assert.equal(channelRefusal('topic', 'ops', refused(ErrorCode.Conflict)), '#ops is archived: it can be read, but nothing in it changes any more.');
      assert.equal(channelRefusal('archive', 'ops', refused(ErrorCode.Conflict)), '#ops is already archived.');
    });

    it('a channel gone or not visible, without saying which', function () {
      assert.equal(channelRefusal('join', 'ops', refused(ErrorCode.NotFound)), '#ops was not found: it no longer exists, or you are not in it.');
    });

    it('not allowed: who may', function () {
      assert.equal(channelRefusal('archive', 'ops', refused(ErrorCode.Forbidden)), 'Only the person who created #ops can archive it.');
      assert.equal(channelRefusal('add', 'ops', refused(ErrorCode.Forbidden)), 'Only members of #ops can add people to it.');
      assert.equal(channelRefusal('topic', 'ops', refused(ErrorCode.Forbidden)), 'Only members of #ops can set its topic.');
    });

    it('offline, and anything else with the reason given', function () {
      assert.equal(
        channelRefusal('list', '', refused(ErrorCode.Closed)),
        'Could not list the channels of the team: Team Messenger is not connected to a relay.',
      );
      assert.equal(channelRefusal('join', 'ops', new Error('the relay timed out')), 'Could not join #ops: the relay timed out');
      assert.equal(channelRefusal('join', 'ops', refused(ErrorCode.RateLimited, 'slow down')), 'Could not join #ops: slow down');
    });
  });
});
