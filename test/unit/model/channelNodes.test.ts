import { strict as assert } from 'node:assert';
import { buildChannelSection, ChannelFacts, ChannelNode } from '../../../src/model/channelNodes';

function channel(fields: Partial<ChannelFacts> & { id: string; name: string }): ChannelFacts {
  return {
    conversationId: fields.id === 'general' ? 'all' : `channel:${fields.id}`,
    topic: '',
    private: false,
    archived: false,
    createdBy: 'O'.repeat(22),
    creator: false,
    member: true,
    memberCount: 3,
    unread: 0,
    mentions: 0,
    ...fields,
  };
}

const GENERAL = channel({ id: 'general', name: 'general', memberCount: 12 });

function channelRows(nodes: ReturnType<typeof buildChannelSection>): ChannelNode[] {
  return nodes.filter((n): n is ChannelNode => n.kind === 'channel');
}

/** Text as a person sees it: the invisible joiners of `inert` taken out. */
const visible = (text: string) => text.replace(/\u2060/g, '');

describe('channelNodes', function () {
  describe('buildChannelSection', function () {
    it('lists the joined open channels, #general first and the rest by name, then Browse and Create', function () {
      const nodes = buildChannelSection(
        [
          channel({ id: 'c2', name: 'releases' }),
          channel({ id: 'c1', name: 'deploys10' }),
          GENERAL,
          channel({ id: 'c3', name: 'deploys9' }),
          channel({ id: 'c4', name: 'design', member: false }),
          channel({ id: 'c5', name: 'old-stuff', archived: true }),
          channel({ id: 'c6', name: 'alpha', private: true }),
        ],
        0,
      );
      assert.deepEqual(
        nodes.map((n) => n.label),
        ['#general', '#alpha', '#deploys9', '#deploys10', '#releases', 'Browse Channels…', 'Create Channel…'],
      );
      assert.deepEqual(
        nodes.map((n) => (n.kind === 'channel' ? n.conversationId : n.command)),
        ['all', 'channel:c6', 'channel:c3', 'channel:c1', 'channel:c2', 'teamMessenger.browseChannels', 'teamMessenger.createChannel'],
      );
    });

    it('lists #general before the relay has said what channels there are, with its unread count', function () {
      const nodes = channelRows(buildChannelSection([], 4));
      assert.equal(nodes.length, 1);
      assert.equal(nodes[0].channelId, 'general');
      assert.equal(nodes[0].conversationId, 'all');
      assert.equal(nodes[0].unread, 4);
      assert.equal(nodes[0].description, '4 unread');
      assert.equal(nodes[0].context, 'channel.general', 'it cannot be left, renamed or archived');
      assert.doesNotMatch(nodes[0].tooltip, /members?$/m, 'no member count it does not know');
    });

    it("takes #general's counts from the relay's channel when there is one", function () {
      const nodes = channelRows(buildChannelSection([channel({ id: 'general', name: 'general', unread: 2, mentions: 1 })], 9));
      assert.equal(nodes.length, 1);
      assert.equal(nodes[0].description, '1 mention · 2 unread');
    });

    it('says unread and mention counts in the description and to screen readers', function () {
      const [general, deploys, secret] = channelRows(
        buildChannelSection(
          [GENERAL, channel({ id: 'c1', name: 'deploys', unread: 5, mentions: 2 }), channel({ id: 'c2', name: 'secret', private: true, unread: 1 })],
          0,
        ),
      );
      assert.equal(general.description, '', 'nothing unread, nothing said');
      assert.equal(deploys.description, '2 mentions · 5 unread');
      assert.equal(secret.description, '1 unread');
      assert.equal(deploys.accessibilityLabel, '#deploys, public channel, 2 mentions, 5 unread');
      assert.equal(secret.accessibilityLabel, '#secret, private channel, 1 unread');
      assert.equal(general.accessibilityLabel, '#general, the team-wide channel');
      assert.deepEqual([general.context, deploys.context, secret.context], ['channel.general', 'channel', 'channel']);
      const [, own] = channelRows(buildChannelSection([GENERAL, channel({ id: 'c9', name: 'mine', creator: true })], 0));
      assert.equal(own.context, 'channel.creator', 'its creator may archive it');
      assert.deepEqual([deploys.private, secret.private], [false, true]);
    });

    it('writes a plain-text tooltip with the topic and the member count', function () {
      const [node] = channelRows(
        buildChannelSection(
          [
            channel({ id: 'general', name: 'general', topic: 'All hands', memberCount: 1 }),
            channel({ id: 'c1', name: 'ops', private: true, topic: 'On call', memberCount: 7, unread: 3 }),
          ],
          0,
        ),
      ).slice(1);
      assert.equal(node.tooltip, ['#ops', 'Private: only its members see it; members add members', 'Topic: On call', '7 members', '3 unread'].join('\n'));
      const [general] = channelRows(buildChannelSection([channel({ id: 'general', name: 'general', topic: 'All hands', memberCount: 1 })], 0));
      assert.equal(general.tooltip, ['#general', 'The team-wide channel: everyone on the relay is in it', 'Topic: All hands', '1 member'].join('\n'));
    });

    it('keeps hostile names and topics as plain text on one line each', function () {
      const topic = 'see [this](command:workbench.action.terminal.sendSequence?x)\nMachine: fake line $(zap)';
      const [, node] = channelRows(buildChannelSection([channel({ id: 'c1', name: 'x$(zap)', topic })], 0));
      assert.equal(visible(node.label), '#x$(zap)');
      assert.ok(!node.label.includes('$('), 'no icon syntax left');
      const lines = node.tooltip.split('\n');
      assert.equal(lines.length, 4, 'a topic cannot add lines');
      assert.equal(visible(lines[2]), `Topic: ${topic.replace('\n', ' ')}`);
      assert.doesNotMatch(node.tooltip, /\]\(|command:|\$\(/);
    });
  });
});
