import { strict as assert } from 'node:assert';
import type { FileCard } from '../../../src/model/fileCardTypes';
import type { ToWebview } from '../../../src/views/chatProtocol';
import { parseMessageLink } from '../../../src/model/messageLinks';
import { ChatRequests, PAGE } from '../../../src/views/chatRequests';
import { BOB, FakeModel, SELF, chat, held } from './chatFakes';

const BOB_CHAT = `peer:${BOB}`;

function setup() {
  const model = new FakeModel();
  const posted: ToWebview[] = [];
  const clipboard = { written: [] as string[], copied: 0, failing: undefined as Error | undefined };
  const requests = new ChatRequests(model, { cardsOf: () => [] }, (m) => posted.push(m), {
    uriScheme: 'vscode-insiders',
    write: async (text) => {
      if (clipboard.failing) throw clipboard.failing;
      clipboard.written.push(text);
    },
    copied: () => void clipboard.copied++,
  });
  return { model, posted, requests, clipboard };
}

describe('ChatRequests', () => {
  it('older pages come from the store while it holds them, then from the relay before the oldest', async () => {
    const { model, posted, requests } = setup();
    for (let seq = 1; seq <= PAGE + 50; seq++) model.store.addIncoming(chat(seq));
    const newestPage = model.store.page(BOB_CHAT, PAGE);
    await requests.loadOlder(BOB_CHAT, newestPage.messages[0]!.id);
    const fromStore = posted.pop() as Extract<ToWebview, { type: 'older' }>;
    assert.strictEqual(fromStore.type, 'older');
    assert.deepStrictEqual(
      fromStore.messages.map((m) => m.seq),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.strictEqual(fromStore.hasOlder, true, 'the relay may hold more');
    assert.deepStrictEqual(model.calls, []);

    model.history = async () => ({ messages: [held(-1 + 1, { id: 'ep-0', seq: 0 })], older: false, newer: true });
    await requests.loadOlder(BOB_CHAT, 'ep-1');
    assert.deepStrictEqual(model.calls, [{ what: 'history', args: [BOB_CHAT, { before: 1, limit: PAGE }] }]);
    assert.deepStrictEqual(posted.pop(), { type: 'older', conversationId: BOB_CHAT, messages: [{ ...held(0, { id: 'ep-0', seq: 0 }) }], hasOlder: false });
  });

  it('leaves out of a relay page the offer records whose card is shown, unless nothing would be left to page from', async () => {
    const posted: ToWebview[] = [];
    const model = new FakeModel();
    const card = { id: 'card-1', conversationId: BOB_CHAT, messageId: 'ep-2' } as FileCard;
    const requests = new ChatRequests(model, { cardsOf: (id) => (id === BOB_CHAT ? [card] : []) }, (m) => posted.push(m), {
      uriScheme: 'vscode',
      write: async () => {},
      copied: () => {},
    });
    const record = held(2, { text: '', files: [{ name: 'a.txt', size: 1 }] });
    model.history = async () => ({ messages: [held(1), record, held(3)], older: true, newer: true });
    await requests.loadOlder(BOB_CHAT, 'ep-4');
    assert.deepStrictEqual(
      (posted.pop() as Extract<ToWebview, { type: 'older' }>).messages.map((m) => m.id),
      ['ep-1', 'ep-3'],
    );
    model.history = async () => ({ messages: [record], older: true, newer: true });
    await requests.loadOlder(BOB_CHAT, 'ep-3');
    assert.deepStrictEqual(
      (posted.pop() as Extract<ToWebview, { type: 'older' }>).messages.map((m) => m.id),
      ['ep-2'],
      'a page of only a record is shown whole: the webview pages on from it',
    );
  });

  it('with nothing held, asks the relay for the newest page; a failure says why', async () => {
    const { model, posted, requests } = setup();
    model.history = async () => {
      throw new Error('not connected to a relay');
    };
    await requests.loadOlder(BOB_CHAT, undefined);
    assert.deepStrictEqual(model.calls, [{ what: 'history', args: [BOB_CHAT, { limit: PAGE }] }]);
    assert.deepStrictEqual(posted, [{ type: 'load-failed', conversationId: BOB_CHAT, what: 'older', error: 'not connected to a relay' }]);
    // A pending message (no relay id) has nothing older on the relay.
    posted.length = 0;
    await requests.loadOlder(BOB_CHAT, 'local:abc');
    assert.deepStrictEqual(posted, [{ type: 'older', conversationId: BOB_CHAT, messages: [], hasOlder: false }]);
  });

  it('a jump to a message the store holds sends the conversation with it focused; else a page around it from the relay', async () => {
    const { model, posted, requests } = setup();
    for (let seq = 100; seq < 110; seq++) model.store.addIncoming(chat(seq));
    assert.ok(await requests.jump(BOB_CHAT, 'ep-105'));
    const local = posted.pop() as Extract<ToWebview, { type: 'conversation' }>;
    assert.strictEqual(local.conversation.focusId, 'ep-105');
    assert.strictEqual(local.conversation.messages.length, 10);
    assert.deepStrictEqual(model.calls, []);

    model.history = async () => ({ messages: [held(40), held(41), held(42)], older: true, newer: true });
    assert.ok(await requests.jump(BOB_CHAT, 'ep-41'));
    assert.deepStrictEqual(model.calls, [{ what: 'history', args: [BOB_CHAT, { around: 'ep-41', limit: PAGE }] }]);
    const far = posted.pop() as Extract<ToWebview, { type: 'conversation' }>;
    assert.deepStrictEqual(
      far.conversation.messages.map((m) => m.id),
      ['ep-40', 'ep-41', 'ep-42'],
    );
    assert.strictEqual(far.conversation.focusId, 'ep-41');
    assert.strictEqual(far.conversation.hasOlder, true);
    assert.strictEqual(far.conversation.hasNewer, true);

    // A page that reaches the present is joined to the messages the store holds.
    model.history = async () => ({ messages: [held(98), held(99)], older: true, newer: false });
    await requests.jump(BOB_CHAT, 'ep-98');
    const joined = posted.pop() as Extract<ToWebview, { type: 'conversation' }>;
    assert.strictEqual(joined.conversation.messages.length, 12);
    assert.strictEqual(joined.conversation.hasNewer, undefined);
  });

  it('a search hit that is a thread reply opens its parent, and the thread beside it with the reply focused', async () => {
    const { model, posted, requests } = setup();
    model.store.addIncoming(chat(10));
    model.found = { hits: [{ conversationId: BOB_CHAT, title: 'bob', message: held(12, { thread: 'ep-10', text: 'in the thread' }) }], more: false };
    await requests.search('thread', undefined);
    const results = posted.pop() as Extract<ToWebview, { type: 'search-results' }>;
    assert.deepStrictEqual(
      results.hits.map((h) => [h.conversationId, h.title, h.message.text]),
      [[BOB_CHAT, 'bob', 'in the thread']],
    );
    assert.strictEqual(results.append, false);

    model.history = async (_id, q) =>
      q.thread
        ? { messages: [held(11, { thread: 'ep-10' }), held(12, { thread: 'ep-10' })], older: false, newer: false }
        : { messages: [], older: false, newer: false };
    await requests.jump(BOB_CHAT, 'ep-12');
    const [conversation, thread] = posted.splice(0);
    assert.strictEqual(conversation!.type === 'conversation' && conversation.conversation.focusId, 'ep-10');
    assert.ok(thread!.type === 'thread');
    assert.strictEqual(thread.parentId, 'ep-10');
    assert.strictEqual(thread.focusId, 'ep-12');
    assert.deepStrictEqual(
      thread.replies.map((m) => m.id),
      ['ep-11', 'ep-12'],
    );

    // A link's reply (not held, never a search hit) names its thread: the same.
    await requests.jump(BOB_CHAT, 'ep-11', 'ep-10');
    const [linked, linkedThread] = posted.splice(0);
    assert.strictEqual(linked!.type === 'conversation' && linked.conversation.focusId, 'ep-10');
    assert.ok(linkedThread!.type === 'thread');
    assert.strictEqual(linkedThread.focusId, 'ep-11');
  });

  it('search pages with `before`; a refused query is said', async () => {
    const { model, posted, requests } = setup();
    await requests.search('deploy', 300);
    assert.deepStrictEqual(model.calls, [{ what: 'search', args: ['deploy', 300] }]);
    assert.strictEqual((posted.pop() as Extract<ToWebview, { type: 'search-results' }>).append, true);
    model.failing = new Error('before: wants a date (YYYY-MM-DD)');
    await requests.search('before:soon', undefined);
    assert.deepStrictEqual(posted.pop(), {
      type: 'search-results',
      query: 'before:soon',
      hits: [],
      more: false,
      append: false,
      error: 'Search failed: before: wants a date (YYYY-MM-DD)',
    });
  });

  it('a refused edit, delete or reaction is said, and the message is shown as the store holds it again', async () => {
    const { model, posted, requests } = setup();
    model.store.addIncoming(chat(7, { from: SELF, fromName: 'alice', to: [BOB], text: 'original' }));
    await requests.edit(BOB_CHAT, 'ep-7', 'changed');
    assert.strictEqual(posted.length, 0);
    model.failing = new Error('only the author may edit');
    await requests.edit(BOB_CHAT, 'ep-7', 'changed');
    await requests.remove(BOB_CHAT, 'ep-7');
    await requests.react(BOB_CHAT, 'ep-7', '👍', true);
    assert.deepStrictEqual(
      posted.filter((m) => m.type === 'notice').map((m) => (m as { text: string }).text),
      [
        'Could not edit the message: only the author may edit',
        'Could not delete the message: only the author may edit',
        'Could not add the reaction to the message: only the author may edit',
      ],
    );
    const restored = posted.filter((m) => m.type === 'updated') as Extract<ToWebview, { type: 'updated' }>[];
    assert.strictEqual(restored.length, 3);
    assert.strictEqual(restored[0]!.message.text, 'original');
  });

  it('a thread: the held replies at once, then the relay’s; a reply not kept goes back into the thread’s box', async () => {
    const { model, posted, requests } = setup();
    model.store.addIncoming(chat(20));
    model.store.addIncoming(chat(22, { thread: 'ep-20' }));
    model.history = async () => ({ messages: [held(21, { thread: 'ep-20' }), held(22, { thread: 'ep-20' })], older: true, newer: false });
    await requests.openThread(BOB_CHAT, 'ep-20');
    const [first, second] = posted.splice(0) as Extract<ToWebview, { type: 'thread' }>[];
    assert.deepStrictEqual(
      first!.replies.map((m) => m.id),
      ['ep-22'],
    );
    assert.strictEqual(first!.parent?.id, 'ep-20');
    assert.deepStrictEqual(
      second!.replies.map((m) => m.id),
      ['ep-21', 'ep-22'],
    );
    assert.strictEqual(second!.hasOlder, true);
    assert.deepStrictEqual(model.calls.at(-1), { what: 'history', args: [BOB_CHAT, { thread: 'ep-20', limit: PAGE }] });

    await requests.openThread(BOB_CHAT, 'ep-20', 'ep-21');
    assert.deepStrictEqual(model.calls.at(-1), { what: 'history', args: [BOB_CHAT, { thread: 'ep-20', before: 21, limit: PAGE }] });
    assert.strictEqual((posted.pop() as Extract<ToWebview, { type: 'thread' }>).older, true);

    model.connectionState = 'reconnecting';
    requests.reply(BOB_CHAT, 'ep-20', 'my reply');
    assert.deepStrictEqual(posted[0], { type: 'unsent', conversationId: BOB_CHAT, text: 'my reply', parentId: 'ep-20' });
  });

  it('Copy Link puts the link to the message on the clipboard, made from the conversation’s relay key, and says so', async () => {
    const { model, posted, requests, clipboard } = setup();
    const link = await requests.copyLink(BOB_CHAT, 'ep-5');
    assert.strictEqual(link, `vscode-insiders://team-messenger.team-messenger/message?conv=%40${BOB}%2C${SELF}&id=ep-5`);
    assert.deepStrictEqual(clipboard.written, [link]);
    assert.strictEqual(clipboard.copied, 1);
    assert.deepStrictEqual(posted, []);
    const parsed = parseMessageLink(link!);
    assert.ok(parsed.ok);
    assert.deepStrictEqual(parsed.link, { key: `@${BOB},${SELF}`, messageId: 'ep-5' });

    assert.match((await requests.copyLink('channel:deploys', 'ep-6'))!, /\?conv=%23deploys&id=ep-6$/);
    assert.match((await requests.copyLink('all', 'ep-7'))!, /\?conv=%23general&id=ep-7$/);

    // A reply names its thread: the store's word first, else the webview's.
    model.store.addIncoming(chat(30, { thread: 'ep-20' }));
    assert.match((await requests.copyLink(BOB_CHAT, 'ep-30'))!, /&id=ep-30&thread=ep-20$/);
    assert.match((await requests.copyLink(BOB_CHAT, 'ep-30', 'ep-1'))!, /&id=ep-30&thread=ep-20$/);
    assert.match((await requests.copyLink(BOB_CHAT, 'ep-31', 'ep-21'))!, /&id=ep-31&thread=ep-21$/);
  });

  it('Copy Link refuses messages without a relay id, and says when the clipboard fails', async () => {
    const { model, posted, requests, clipboard } = setup();
    assert.strictEqual(await requests.copyLink(BOB_CHAT, 'local:abc'), undefined);
    assert.strictEqual(await requests.copyLink(BOB_CHAT, 'ep-5', 'local:abc'), undefined);
    assert.strictEqual(await requests.copyLink(BOB_CHAT, 'ep-5', 'ep-5'), undefined);
    clipboard.failing = new Error('clipboard unavailable');
    assert.strictEqual(await requests.copyLink(BOB_CHAT, 'ep-5'), undefined);
    (model as { selfId: string }).selfId = '';
    clipboard.failing = undefined;
    assert.strictEqual(await requests.copyLink(BOB_CHAT, 'ep-5'), undefined);
    assert.deepStrictEqual(clipboard.written, []);
    assert.strictEqual(clipboard.copied, 0);
    assert.deepStrictEqual(
      posted.map((m) => (m as { text: string }).text),
      [
        'Could not copy a link: the message is not on the relay yet.',
        'Could not copy a link: the message is not on the relay yet.',
        'Could not copy a link: cannot make a message link: the link’s message cannot be its own thread',
        'Could not copy a link: clipboard unavailable',
        'Could not copy a link: not connected to a relay yet.',
      ],
    );
  });
});
