import { strict as assert } from 'node:assert';
import { mentionOptions, mentionsName, typedPeople } from '../../../src/views/webview/mentionMatching';
import { DirectoryFeed, directoryView } from '../../../src/views/mentionDirectory';
import { FromWebview, type ToWebview } from '../../../src/views/chatProtocol';
import { BOB, CAROL, FakeModel, SELF } from './chatFakes';

const PEOPLE = [
  { id: 'id-bob', name: 'Bob', online: false },
  { id: 'id-bobsmith', name: 'Bob Smith', online: true },
  { id: 'id-carol', name: 'carol', online: true },
  { id: 'id-dave1', name: 'dave', online: true },
  { id: 'id-dave2', name: 'dave', online: false },
];

describe('composer mentions', () => {
  it('suggests people by a name or a word of it, online first, then @channel/@here', () => {
    const names = (query: string) => mentionOptions(query, PEOPLE).map((o) => (o.kind === 'person' ? o.name : o.kind === 'room' ? `@${o.id}` : '?'));
    assert.deepStrictEqual(names('bo'), ['Bob Smith', 'Bob']);
    assert.deepStrictEqual(names('smi'), ['Bob Smith']);
    assert.deepStrictEqual(names('h'), ['@here']);
    assert.deepStrictEqual(names('C'), ['carol', '@channel']);
    assert.deepStrictEqual(names(''), ['Bob Smith', 'carol', 'dave', 'Bob', 'dave', '@channel', '@here']);
    assert.deepStrictEqual(names('zed'), []);
    const many = Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, name: `h${i}`, online: true }));
    assert.equal(mentionOptions('h', many).length, 8, 'at most eight, @here among them');
    assert.equal(mentionOptions('h', many)[7]!.kind, 'room');
  });

  it('checks @name as the extension does: any case, not inside a longer word', () => {
    assert.equal(mentionsName('hi @bob!', 'Bob'), true);
    assert.equal(mentionsName('hi @bobby', 'Bob'), false);
    assert.equal(mentionsName('me@bob.example', 'Bob'), false);
    assert.equal(mentionsName('anything', ''), false);
  });

  it('finds people typed by their exact name (the longest that fits), unless two share it', () => {
    assert.deepStrictEqual(typedPeople('@Bob Smith and @bob, and @carol.', PEOPLE), ['id-bobsmith', 'id-bob', 'id-carol']);
    assert.deepStrictEqual(typedPeople('@dave?', PEOPLE), [], 'two daves: neither');
    assert.deepStrictEqual(typedPeople('@caroline x@carol', PEOPLE), []);
    assert.deepStrictEqual(typedPeople('no at sign', PEOPLE), []);
  });

  it('offers the roster’s people once each (online first, the user left out) and the channels not archived', () => {
    const model = new FakeModel();
    model.online = new Set([BOB, SELF]);
    model.channelList = [model.channelList[0]!, { ...model.channelList[0]!, id: 'old', conversationId: 'channel:old', name: 'old', archived: true }];
    const roster = model.roster();
    model.roster = () => ({ ...roster, online: [...roster.online, ...roster.online], known: [{ clientId: CAROL, name: 'carol', machine: 'm', lastSeen: 1 }] });
    assert.deepStrictEqual(directoryView(model), {
      people: [
        { id: BOB, name: 'bob', online: true },
        { id: CAROL, name: 'carol', online: false },
      ],
      channels: ['deploys'],
    });
  });

  it('sends the directory to the webview only when it changed, or when a fresh page asks', () => {
    const model = new FakeModel();
    const posted: ToWebview[] = [];
    const feed = new DirectoryFeed(model, (message) => posted.push(message));
    feed.update();
    feed.update();
    assert.equal(posted.length, 1);
    feed.update(true);
    assert.equal(posted.length, 2);
    model.online = new Set([BOB, CAROL]);
    feed.update();
    assert.deepEqual(posted[2], {
      type: 'directory',
      directory: {
        people: [
          { id: BOB, name: 'bob', online: true },
          { id: CAROL, name: 'carol', online: true },
        ],
        channels: ['deploys'],
      },
    });
  });

  it('lets the webview send and reply with the mentions picked (ids, channel, here), bounded', () => {
    const ok = (message: unknown) => assert.ok(FromWebview.safeParse(message).success, JSON.stringify(message));
    const refused = (message: unknown) => assert.ok(!FromWebview.safeParse(message).success, JSON.stringify(message));
    ok({ type: 'send', conversationId: 'all', text: '@bob @here', mentions: [BOB, 'here'] });
    ok({ type: 'reply', conversationId: 'all', parentId: 'ep-1', text: '@channel', mentions: ['channel'] });
    refused({ type: 'send', conversationId: 'all', text: 'x', mentions: ['everyone'] });
    refused({ type: 'send', conversationId: 'all', text: 'x', mentions: Array.from({ length: 51 }, () => BOB) });
  });
});
