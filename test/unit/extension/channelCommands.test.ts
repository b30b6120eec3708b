import { strict as assert } from 'node:assert';
import { ChannelsApi, registerChannelCommands } from '../../../src/extension/channelCommands';
import type { ChannelFacts } from '../../../src/model/channelNodes';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import { Fakes } from './commandFakes';

function channel(fields: Partial<ChannelFacts> & { id: string; name: string }): ChannelFacts {
  return {
    conversationId: fields.id === 'general' ? 'all' : `channel:${fields.id}`,
    topic: '',
    private: false,
    archived: false,
    createdBy: 'O'.repeat(22),
    creator: false,
    member: true,
    memberCount: 2,
    unread: 0,
    mentions: 0,
    ...fields,
  };
}

/** The model's channel calls, recorded; `refuseNext` makes the next matching call fail. */
class FakeChannels implements ChannelsApi {
  connectionState = 'connected';
  readonly calls: string[] = [];
  private refusal: { when: RegExp; error: Error } | undefined;
  known: ChannelFacts[] = [
    channel({ id: 'general', name: 'general', memberCount: 4 }),
    channel({ id: 'c1', name: 'deploys', topic: 'Ship it', creator: true }),
    channel({ id: 'c2', name: 'design', member: false }),
    channel({ id: 'c3', name: 'secret', private: true }),
  ];

  channels(): ChannelFacts[] {
    return this.known;
  }
  listChannels(): Promise<ChannelFacts[]> {
    return this.answer('list', () => this.known);
  }
  createChannel(name: string, options: { private?: boolean; topic?: string }): Promise<ChannelFacts> {
    return this.answer(`create ${name} ${JSON.stringify(options)}`, () =>
      channel({ id: 'new', name, private: options.private === true, topic: options.topic ?? '' }),
    );
  }
  joinChannel(id: string): Promise<ChannelFacts> {
    return this.answer(`join ${id}`, () => ({ ...this.find(id), member: true }));
  }
  leaveChannel(id: string): Promise<ChannelFacts> {
    return this.answer(`leave ${id}`, () => ({ ...this.find(id), member: false }));
  }
  addToChannel(id: string, members: string[]): Promise<ChannelFacts> {
    return this.answer(`add ${id} ${members.join(',')}`, () => this.find(id));
  }
  updateChannel(id: string, changes: { name?: string; topic?: string; archived?: boolean }): Promise<ChannelFacts> {
    return this.answer(`update ${id} ${JSON.stringify(changes)}`, () => ({ ...this.find(id), ...changes }));
  }

  refuseNext(when: RegExp, code: ErrorCode, message: string): void {
    this.refusal = { when, error: new TeamMessengerError(code, message) };
  }

  private find(id: string): ChannelFacts {
    const found = this.known.find((c) => c.id === id);
    assert.ok(found, `a channel ${id}`);
    return found;
  }

  private async answer<T>(call: string, make: () => T): Promise<T> {
    this.calls.push(call);
    const refusal = this.refusal;
    if (refusal?.when.test(call)) {
      this.refusal = undefined;
      throw refusal.error;
    }
    return make();
  }
}

function setUp() {
  const fakes = new Fakes();
  const channels = new FakeChannels();
  const ports = fakes.ports();
  registerChannelCommands(channels, ports, (id, run) => ports.registerCommand(id, run));
  const row = (id: string) => ({ kind: 'channel', channelId: id, name: channels.known.find((c) => c.id === id)?.name ?? id, conversationId: `channel:${id}` });
  return { fakes, channels, row };
}

describe('channel commands (through fake ports)', function () {
  describe('Browse Channels…', function () {
    it('lists what the relay says, and picking one the user is not in joins it and opens it', async function () {
      const { fakes, channels } = setUp();
      fakes.picks.push('#design');
      await fakes.run('teamMessenger.browseChannels');
      assert.deepEqual(fakes.quickPicks[0], [
        '$(check) #general',
        '$(check) #deploys',
        '$(comment-discussion) #design',
        '$(check) #secret',
        '$(add) Create Channel…',
      ]);
      assert.deepEqual(channels.calls, ['list', 'join c2']);
      assert.deepEqual(fakes.chats, ['channel:c2']);
    });

    it('opens a channel the user is already in without joining again', async function () {
      const { fakes, channels } = setUp();
      fakes.picks.push('#deploys');
      await fakes.run('teamMessenger.browseChannels');
      assert.deepEqual(channels.calls, ['list']);
      assert.deepEqual(fakes.chats, ['channel:c1']);
    });

    it('goes on to Create Channel… from its last row', async function () {
      const { fakes } = setUp();
      fakes.picks.push('Create Channel…');
      await fakes.run('teamMessenger.browseChannels');
      assert.deepEqual(fakes.executed, ['teamMessenger.createChannel']);
    });

    it('tells a refused join in words and opens nothing', async function () {
      const { fakes, channels } = setUp();
      fakes.picks.push('#design');
      channels.refuseNext(/^join/, ErrorCode.NotFound, 'no such channel');
      await fakes.run('teamMessenger.browseChannels');
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [['error', '#design was not found: it no longer exists, or you are not in it.']],
      );
      assert.deepEqual(fakes.chats, []);
      assert.match(fakes.logged[0], /join #design refused: NOT_FOUND no such channel/);
    });

    it('says so when not connected, and asks the relay nothing', async function () {
      const { fakes, channels } = setUp();
      channels.connectionState = 'reconnecting';
      await fakes.run('teamMessenger.browseChannels');
      assert.deepEqual(channels.calls, []);
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [['warning', 'Team Messenger is not connected to a relay.']],
      );
    });
  });

  describe('Create Channel…', function () {
    it('asks a name (checked as typed), public or private, a topic; creates it and opens it', async function () {
      const { fakes, channels } = setUp();
      fakes.inputs.push(' #Releases ', '  Tags and notes  ');
      fakes.picks.push('Private');
      await fakes.run('teamMessenger.createChannel');
      assert.deepEqual(channels.calls, ['create releases {"private":true,"topic":"Tags and notes"}']);
      assert.deepEqual(fakes.chats, ['channel:new']);
      const [nameBox, topicBox] = fakes.inputBoxes;
      assert.equal(nameBox.validateInput?.('deploys'), '#deploys is taken: pick another name');
      assert.equal(nameBox.validateInput?.('my channel'), 'A channel name is lowercase letters, digits, "-" and "_", starting with a letter or digit');
      assert.equal(nameBox.validateInput?.('releases'), undefined);
      assert.equal(topicBox.title, 'Create Channel #releases (3/3): topic');
      assert.equal(topicBox.validateInput?.('x'.repeat(251)), 'A topic is at most 250 characters (this one is 251)');
    });

    it('leaves the topic out when none is given', async function () {
      const { fakes, channels } = setUp();
      fakes.inputs.push('releases', '');
      fakes.picks.push('Public');
      await fakes.run('teamMessenger.createChannel');
      assert.deepEqual(channels.calls, ['create releases {"private":false}']);
    });

    it('does nothing when cancelled at any step', async function () {
      for (const [inputs, picks] of [
        [[undefined], []],
        [[''], []],
        [['releases'], [undefined]],
        [['releases', undefined], ['Public']],
      ] as const) {
        const { fakes, channels } = setUp();
        fakes.inputs.push(...inputs);
        fakes.picks.push(...picks);
        await fakes.run('teamMessenger.createChannel');
        assert.deepEqual(channels.calls, [], JSON.stringify(inputs));
        assert.deepEqual(fakes.chats, []);
      }
    });

    it('says a name taken on the relay (a private channel the user cannot see) in words', async function () {
      const { fakes, channels } = setUp();
      fakes.inputs.push('hidden', '');
      fakes.picks.push('Public');
      channels.refuseNext(/./, ErrorCode.Conflict, 'name taken');
      await fakes.run('teamMessenger.createChannel');
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [['error', '#hidden is taken: another channel has that name. Pick another name.']],
      );
      assert.deepEqual(fakes.chats, []);
    });
  });

  describe("a channel's context menu", function () {
    it('Open opens it in the chat panel', async function () {
      const { fakes, row } = setUp();
      await fakes.run('teamMessenger.openChannel', row('c1'));
      await fakes.run('teamMessenger.openChannel', 'c3');
      await fakes.run('teamMessenger.openChannel', { channelId: 42 });
      await fakes.run('teamMessenger.openChannel');
      assert.deepEqual(fakes.chats, ['channel:c1', 'channel:c3']);
    });

    it('opens #general from its row before the relay has listed it', async function () {
      const { fakes, channels } = setUp();
      channels.known = [];
      await fakes.run('teamMessenger.openChannel', { kind: 'channel', channelId: 'general', name: 'general', conversationId: 'all' });
      assert.deepEqual(fakes.chats, ['all']);
    });

    it('Leave leaves a public channel at once, a private one after asking', async function () {
      const { fakes, channels, row } = setUp();
      await fakes.run('teamMessenger.leaveChannel', row('c1'));
      fakes.answers.push(undefined);
      await fakes.run('teamMessenger.leaveChannel', row('c3'));
      fakes.answers.push('Leave');
      await fakes.run('teamMessenger.leaveChannel', row('c3'));
      assert.deepEqual(channels.calls, ['leave c1', 'leave c3']);
      assert.deepEqual(
        fakes.shown.map((s) => [s.message, s.modal, s.items]),
        [
          ['Leave #secret?', true, ['Leave']],
          ['Leave #secret?', true, ['Leave']],
        ],
      );
      assert.match(fakes.shown[0].detail ?? '', /only one of its members can add you back/);
    });

    it('Leave on #general tells why not', async function () {
      const { fakes, channels, row } = setUp();
      channels.refuseNext(/./, ErrorCode.Conflict, 'cannot leave #general');
      await fakes.run('teamMessenger.leaveChannel', row('general'));
      assert.equal(fakes.shown[0].message, '#general cannot be left or archived: everyone on the team is in it.');
    });

    it('Rename… starts from the name, checks as typed (its own name is no clash), and skips an unchanged name', async function () {
      const { fakes, channels, row } = setUp();
      fakes.inputs.push('Deploys', 'shipping');
      await fakes.run('teamMessenger.renameChannel', row('c1'));
      await fakes.run('teamMessenger.renameChannel', row('c1'));
      assert.deepEqual(channels.calls, ['update c1 {"name":"shipping"}']);
      const box = fakes.inputBoxes[0];
      assert.equal(box.value, 'deploys');
      assert.equal(box.validateInput?.('deploys'), undefined);
      assert.equal(box.validateInput?.('design'), '#design is taken: pick another name');
    });

    it('Rename… refused: only members may', async function () {
      const { fakes, channels, row } = setUp();
      fakes.inputs.push('shipping');
      channels.refuseNext(/./, ErrorCode.Forbidden, 'not a member');
      await fakes.run('teamMessenger.renameChannel', row('c1'));
      assert.equal(fakes.shown[0].message, 'Only members of #deploys can rename it.');
    });

    it('Set Topic… starts from the topic; empty clears it; unchanged asks nothing', async function () {
      const { fakes, channels, row } = setUp();
      fakes.inputs.push(' Ship it ', '', undefined);
      await fakes.run('teamMessenger.setChannelTopic', row('c1'));
      await fakes.run('teamMessenger.setChannelTopic', row('c1'));
      await fakes.run('teamMessenger.setChannelTopic', row('c1'));
      assert.equal(fakes.inputBoxes[0].value, 'Ship it');
      assert.deepEqual(channels.calls, ['update c1 {"topic":""}']);
    });

    it('Add Members… picks people with the peer picker and adds them', async function () {
      const { fakes, channels, row } = setUp();
      fakes.peerPicks.push(
        [
          { clientId: 'A'.repeat(22), name: 'alice' },
          { clientId: 'B'.repeat(22), name: 'bob' },
        ],
        undefined,
      );
      await fakes.run('teamMessenger.addChannelMembers', row('c3'));
      await fakes.run('teamMessenger.addChannelMembers', row('c3'));
      assert.deepEqual(fakes.peerPickTitles, ['Add Members to #secret', 'Add Members to #secret']);
      assert.deepEqual(fakes.peerPickOptions[0], { canPickMany: true, includeOffline: true }, 'people offline now are listed too');
      assert.deepEqual(channels.calls, [`add c3 ${'A'.repeat(22)},${'B'.repeat(22)}`]);
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [['info', 'Added alice, bob to #secret.']],
      );
    });

    it('Archive… asks first, and tells who may when refused', async function () {
      const { fakes, channels, row } = setUp();
      fakes.answers.push(undefined, 'Archive', 'Archive');
      await fakes.run('teamMessenger.archiveChannel', row('c1'));
      await fakes.run('teamMessenger.archiveChannel', row('c1'));
      channels.refuseNext(/./, ErrorCode.Forbidden, 'creator only');
      await fakes.run('teamMessenger.archiveChannel', row('c1'));
      assert.deepEqual(channels.calls, ['update c1 {"archived":true}', 'update c1 {"archived":true}']);
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message, s.modal]),
        [
          ['warning', 'Archive #deploys?', true],
          ['warning', 'Archive #deploys?', true],
          ['warning', 'Archive #deploys?', true],
          ['error', 'Only the person who created #deploys can archive it.', false],
        ],
      );
    });

    it('Archive… on a channel someone else created says who may, and asks the relay nothing', async function () {
      const { fakes, channels, row } = setUp();
      await fakes.run('teamMessenger.archiveChannel', row('c3'));
      assert.deepEqual(channels.calls, []);
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [['info', 'Only the person who created #secret can archive it.']],
      );
    });

    it('keeps a hostile channel name from making links in what it shows', async function () {
      const { fakes, channels } = setUp();
      const name = 'x](command:evil)';
      channels.known.push(channel({ id: 'h', name, creator: true }));
      fakes.answers.push(undefined);
      await fakes.run('teamMessenger.archiveChannel', 'h');
      assert.equal(fakes.shown[0].message, `Archive #${name}?`);
      assert.doesNotMatch(fakes.raw[0], /\]\(|command:/);
    });
  });

  describe('Unarchive Channel…', function () {
    /** The fakes with two archived channels: one the user created, one someone else did. */
    function withArchived() {
      const set = setUp();
      set.channels.known.push(
        channel({ id: 'old', name: 'old-releases', archived: true, creator: true, memberCount: 3 }),
        channel({ id: 'theirs', name: 'their-old', archived: true }),
      );
      return set;
    }

    it('lists the archived channels the user created, restores the one picked and opens it', async function () {
      const { fakes, channels } = withArchived();
      fakes.picks.push('#old-releases');
      await fakes.run('teamMessenger.unarchiveChannel');
      assert.deepEqual(fakes.quickPicks, [['$(archive) #old-releases']]);
      assert.deepEqual(channels.calls, ['list', 'update old {"archived":false}']);
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [['info', '#old-releases is open again: its members can post in it.']],
      );
      assert.deepEqual(fakes.chats, ['channel:old']);
    });

    it('says when there is nothing to unarchive, and refuses a channel the user did not create', async function () {
      const { fakes, channels, row } = setUp();
      await fakes.run('teamMessenger.unarchiveChannel');
      channels.known.push(channel({ id: 'theirs', name: 'their-old', archived: true }));
      await fakes.run('teamMessenger.unarchiveChannel', row('theirs'));
      await fakes.run('teamMessenger.unarchiveChannel', row('c1'));
      assert.deepEqual(channels.calls, ['list']);
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [
          ['info', 'None of the channels you created is archived.'],
          ['info', 'Only the person who created #their-old can unarchive it.'],
          ['info', '#deploys is not archived.'],
        ],
      );
    });

    it('tells a name taken since in words', async function () {
      const { fakes, channels, row } = withArchived();
      channels.refuseNext(/^update/, ErrorCode.Conflict, 'there is a channel named #old-releases already');
      await fakes.run('teamMessenger.unarchiveChannel', row('old'));
      assert.deepEqual(
        fakes.shown.map((s) => [s.level, s.message]),
        [['error', '#old-releases cannot be unarchived: another channel has that name now. Rename that one first.']],
      );
      assert.deepEqual(fakes.chats, []);
    });

    it('Browse Channels… offers its creator Open or Unarchive on an archived channel', async function () {
      const { fakes, channels } = withArchived();
      channels.known.find((c) => c.id === 'old')!.member = true;
      fakes.picks.push('#old-releases', 'Unarchive');
      await fakes.run('teamMessenger.browseChannels');
      assert.deepEqual(fakes.quickPicks[1], ['$(eye) Open #old-releases', '$(inbox) Unarchive #old-releases']);
      assert.deepEqual(channels.calls, ['list', 'update old {"archived":false}']);
      fakes.picks.push('#old-releases', 'Open');
      await fakes.run('teamMessenger.browseChannels');
      assert.deepEqual(channels.calls, ['list', 'update old {"archived":false}', 'list']);
      assert.deepEqual(fakes.chats, ['channel:old', 'channel:old']);
    });
  });

  it('Search Messages… opens the chat panel search, with a query when given one', async function () {
    const { fakes } = setUp();
    await fakes.run('teamMessenger.searchMessages');
    await fakes.run('teamMessenger.searchMessages', 'from:bob deploy');
    await fakes.run('teamMessenger.searchMessages', { not: 'a query' });
    assert.deepEqual(fakes.searches, [undefined, 'from:bob deploy', undefined]);
  });

  it('Show Mentions opens the chat panel search on the messages that mention the user', async function () {
    const { fakes } = setUp();
    await fakes.run('teamMessenger.showMentions');
    assert.deepEqual(fakes.searches, ['is:mention']);
  });
});
