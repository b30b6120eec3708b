import { strict as assert } from 'node:assert';
import { type LinkModel, type LinkPorts, openMessageLink, routeUri } from '../../../src/extension/linkOpener';
import type { ClientState } from '../../../src/net/client/clientTypes';
import { EXTENSION_ID } from '../../../src/net/invite';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { silentLogger } from '../../../src/net/logger';
import { ConversationStore } from '../../../src/model/conversationStore';
import type { ConversationId } from '../../../src/model/conversationTypes';
import { Emitter } from '../../../src/model/lifecycle';
import { formatMessageLink, type LinkParts, type MessageLink } from '../../../src/model/messageLinks';
import type { ChannelView } from '../../../src/model/messengerModel';
import { visible } from './commandFakes';
import { BOB, CAROL, DEPLOYS, SELF, chat } from '../views/chatFakes';

const DAVE = 'D'.repeat(22);

/** The parts VS Code's Uri gives the handler (its query decoded) for a link Copy Link made. */
function partsOf(link: MessageLink): LinkParts {
  const url = new URL(formatMessageLink(link, 'vscode'));
  return { authority: url.host, path: url.pathname, query: decodeURIComponent(url.search.slice(1)) };
}

const channel = (id: string, fields: Partial<ChannelView> = {}): ChannelView => ({
  ...DEPLOYS,
  id,
  conversationId: `channel:${id}`,
  name: id,
  member: false,
  members: [BOB],
  ...fields,
});

class FakeModel implements LinkModel {
  store = new ConversationStore({ selfId: SELF });
  selfId = SELF;
  connectionState: ClientState | 'idle' = 'connected';
  known: ChannelView[] = [DEPLOYS, channel('ops'), channel('hush', { private: true }), channel('old', { archived: true })];
  /** What the relay's channel list adds to those known. */
  onRelay: ChannelView[] = [];
  listed = 0;
  readonly joined: string[] = [];
  private readonly changed = new Emitter<ClientState | 'idle'>();
  readonly onConnectionChanged = this.changed.event;

  channels(): ChannelView[] {
    return this.known;
  }
  async listChannels(): Promise<ChannelView[]> {
    this.listed++;
    return [...this.known, ...this.onRelay];
  }
  async joinChannel(id: string): Promise<ChannelView> {
    this.joined.push(id);
    if (id === 'full') throw new Error('the channel is full');
    return channel(id, { member: true });
  }
  setState(state: ClientState | 'idle'): void {
    this.connectionState = state;
    this.changed.fire(state);
  }
}

function setup() {
  const model = new FakeModel();
  const shown: [ConversationId, string, string | undefined][] = [];
  const warnings: { message: string; items: string[] }[] = [];
  const answers: (string | undefined)[] = [];
  const record = { connects: 0, waiting: 0, waitingNow: 0 };
  const ports: LinkPorts = {
    model,
    show: (id, messageId, threadId) => void shown.push([id, messageId, threadId]),
    warn: async (message, ...items) => {
      warnings.push({ message: visible(message), items: items.map(visible) });
      return answers.shift();
    },
    connect: () => void record.connects++,
    waiting: () => {
      record.waiting++;
      record.waitingNow++;
      return { dispose: () => void record.waitingNow-- };
    },
    logger: silentLogger,
    waitMs: { dialing: 200, idle: 30 },
  };
  const open = (link: MessageLink) => openMessageLink(partsOf(link), ports);
  return { model, ports, shown, warnings, answers, record, open };
}

describe('message links: routing and opening', () => {
  it('routes /join to the join command, /message to the opener, and leaves anything else alone', async () => {
    const ran: unknown[][] = [];
    const opened: LinkParts[] = [];
    const warned: string[] = [];
    const to = {
      run: async (...args: unknown[]) => void ran.push(args),
      openMessage: async (parts: LinkParts) => void opened.push(parts),
      logger: { ...silentLogger, warn: (message: string) => void warned.push(message) },
    };
    routeUri({ authority: EXTENSION_ID, path: '/join', query: 'invite=tm1.abc.def' }, to);
    routeUri({ authority: EXTENSION_ID, path: '/join', query: 'tm1.abc' }, to);
    const message = partsOf({ key: '#general', messageId: 'ep-1' });
    routeUri(message, to);
    routeUri({ authority: EXTENSION_ID, path: '/run', query: 'command=x' }, to);
    assert.deepEqual(ran, [
      ['teamMessenger.joinInvite', 'tm1.abc.def'],
      ['teamMessenger.joinInvite', 'tm1.abc'],
    ]);
    assert.deepEqual(opened, [message]);
    assert.deepEqual(warned, ['ignored a link this extension does not know']);
  });

  it('opens the message in the user’s own conversation: direct, group, #general, a channel, a thread reply', async () => {
    const { shown, warnings, open } = setup();
    await open({ key: peopleKey([SELF, BOB]), messageId: 'ep-5' });
    await open({ key: peopleKey([CAROL, SELF, BOB]), messageId: 'ep-6' });
    await open({ key: peopleKey([SELF]), messageId: 'ep-7' });
    await open({ key: '#general', messageId: 'ep-8' });
    await open({ key: '#deploys', messageId: 'ep-9', threadId: 'ep-2' });
    assert.deepEqual(shown, [
      [`peer:${BOB}`, 'ep-5', undefined],
      [`group:${BOB},${CAROL}`, 'ep-6', undefined],
      [`peer:${SELF}`, 'ep-7', undefined],
      ['all', 'ep-8', undefined],
      ['channel:deploys', 'ep-9', 'ep-2'],
    ]);
    assert.deepEqual(warnings, []);
  });

  it('a conversation the user is not in is said, never opened; a public channel offers Join, then opens', async () => {
    const { model, shown, warnings, answers, open } = setup();
    await open({ key: peopleKey([BOB, CAROL]), messageId: 'ep-5' });
    await open({ key: '#hush', messageId: 'ep-5' });
    await open({ key: '#old', messageId: 'ep-5' });
    await open({ key: '#ops', messageId: 'ep-5' });
    answers.push('Join #ops');
    await open({ key: '#ops', messageId: 'ep-6', threadId: 'ep-3' });
    assert.deepEqual(warnings, [
      { message: 'This message is in a conversation you are not in.', items: [] },
      { message: 'This message is in a conversation you are not in (#hush).', items: [] },
      { message: 'This message is in a conversation you are not in (#old).', items: [] },
      { message: 'This message is in a conversation you are not in (#ops). Join the channel to read it.', items: ['Join #ops'] },
      { message: 'This message is in a conversation you are not in (#ops). Join the channel to read it.', items: ['Join #ops'] },
    ]);
    assert.deepEqual(model.joined, ['ops']);
    assert.deepEqual(shown, [['channel:ops', 'ep-6', 'ep-3']]);

    // Joining fails: said.
    model.known.push(channel('full'));
    answers.push('Join #full');
    await open({ key: '#full', messageId: 'ep-6' });
    assert.equal(warnings.at(-1)!.message, 'Could not join #full: the channel is full');
    assert.equal(shown.length, 1);
  });

  it('a channel not known asks the relay’s list once; one it does not have is not found', async () => {
    const { model, shown, warnings, open } = setup();
    model.onRelay = [channel('fresh', { member: true, members: [SELF] })];
    await open({ key: '#fresh', messageId: 'ep-5' });
    assert.deepEqual(shown, [['channel:fresh', 'ep-5', undefined]]);
    await open({ key: '#nowhere', messageId: 'ep-5' });
    assert.equal(model.listed, 2);
    assert.deepEqual(warnings, [{ message: 'That message was not found: its channel (#nowhere) is not one you can see on this relay.', items: [] }]);
    assert.equal(shown.length, 1);
  });

  it('refuses a link that does not parse, saying what is wrong, and opens nothing', async () => {
    const { ports, shown, warnings } = setup();
    await openMessageLink({ authority: EXTENSION_ID, path: '/message', query: 'conv=#general&id=local:1' }, ports);
    await openMessageLink({ authority: 'evil.ext', path: '/message', query: 'conv=#general&id=ep-1' }, ports);
    await openMessageLink({ authority: EXTENSION_ID, path: '/message', query: `conv=@${BOB},${SELF}&id=ep-1&then=[x](command:rm)` }, ports);
    assert.deepEqual(
      warnings.map((w) => w.message),
      [
        'This Team Messenger link cannot be opened: the link’s message is not one a relay names.',
        'This Team Messenger link cannot be opened: it is not a Team Messenger link.',
        'This Team Messenger link cannot be opened: the link has a part Team Messenger does not know ("then").',
      ],
    );
    assert.deepEqual(shown, []);
  });

  it('not connected: says so and offers Connect…; a message the store holds still opens', async () => {
    const { model, shown, warnings, answers, record, open } = setup();
    model.selfId = '';
    model.connectionState = 'idle';
    answers.push('Connect…');
    await open({ key: '#general', messageId: 'ep-5' });
    assert.deepEqual(warnings, [{ message: 'Team Messenger is not connected to a relay: connect, then open the message link again.', items: ['Connect…'] }]);
    assert.equal(record.connects, 1);
    assert.deepEqual(record, { connects: 1, waiting: 1, waitingNow: 0 });

    model.selfId = SELF;
    model.connectionState = 'reconnecting';
    model.store.addIncoming(chat(5));
    const started = Date.now();
    await open({ key: peopleKey([SELF, BOB]), messageId: 'ep-5' });
    assert.ok(Date.now() - started >= 150, 'waited for the reconnection first');
    assert.deepEqual(shown, [[`peer:${BOB}`, 'ep-5', undefined]]);
    await open({ key: peopleKey([SELF, BOB]), messageId: 'ep-6' });
    // A channel not known while offline: maybe the relay has it, so not "not found".
    await open({ key: '#fresh', messageId: 'ep-6' });
    assert.equal(model.listed, 0);
    assert.equal(warnings.length, 3);
    assert.match(warnings[1]!.message, /not connected to a relay/);
    assert.match(warnings[2]!.message, /not connected to a relay/);
    assert.equal(shown.length, 1);
    assert.equal(record.waitingNow, 0);
  });

  it('a link that arrives while the client connects waits for it, then opens', async () => {
    const { model, shown, warnings, record, open } = setup();
    model.connectionState = 'idle';
    model.selfId = '';
    const opening = open({ key: peopleKey([SELF, BOB]), messageId: 'ep-6' });
    setTimeout(() => model.setState('connecting'), 10);
    // Past the idle wait: connecting, so it waits longer.
    setTimeout(() => {
      model.selfId = SELF;
      model.setState('connected');
    }, 80);
    await opening;
    assert.deepEqual(shown, [[`peer:${BOB}`, 'ep-6', undefined]]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(record, { connects: 0, waiting: 1, waitingNow: 0 });
  });

  it('never throws: a failure on the way is said', async () => {
    const { ports, warnings, open } = setup();
    ports.show = () => {
      throw new Error('no panel');
    };
    await open({ key: peopleKey([SELF, DAVE]), messageId: 'ep-6' });
    assert.deepEqual(warnings, [{ message: 'Team Messenger could not open the message link: no panel', items: [] }]);
  });
});
