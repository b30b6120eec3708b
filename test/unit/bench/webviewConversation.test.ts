import { strict as assert } from 'node:assert';
import { ConversationPages, conversationMessages, SELF_ID } from '../../../bench/lib/webviewConversation';

describe('bench webview conversation', () => {
  it('makes the messages in time order, with own messages, code, tombstones, reactions and threads among them', () => {
    const messages = conversationMessages(5000, 8);
    assert.equal(messages.length, 5000);
    assert.equal(new Set(messages.map((m) => m.id)).size, 5000);
    for (let i = 1; i < messages.length; i++) assert.ok(messages[i].ts >= messages[i - 1].ts && messages[i].seq! > messages[i - 1].seq!);
    assert.ok(messages.some((m) => m.own && m.from === SELF_ID));
    assert.ok(
      messages.some((m) => m.code) && messages.some((m) => m.deleted && m.text === '') && messages.some((m) => m.reactions) && messages.some((m) => m.replies),
    );
  });

  it('pages back from the newest, each page the one before the id asked for, every message exactly once', () => {
    const messages = conversationMessages(1050, 8);
    const pages = new ConversationPages(messages, 100);
    const first = pages.newest();
    assert.equal(first.messages.length, 100);
    assert.equal(first.messages[99].id, messages[1049].id);
    const seen = [...first.messages];
    let page = first;
    while (page.hasOlder) {
      page = pages.olderThan(page.messages[0].id)!;
      seen.unshift(...page.messages);
    }
    assert.deepEqual(
      seen.map((m) => m.id),
      messages.map((m) => m.id),
    );
    assert.equal(pages.olderThan(messages[0].id)!.messages.length, 0);
    assert.equal(pages.olderThan('never-sent'), undefined);
    assert.deepEqual(pages.olderThan(undefined), first);
  });
});
