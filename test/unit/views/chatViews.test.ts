import { strict as assert } from 'node:assert';
import { conversationSummaries, conversationView, messageView, seenView } from '../../../src/views/chatViews';
import type { FileCard } from '../../../src/model/fileCardTypes';
import { BOB, CAROL, DEPLOYS, FakeModel, SELF, T0, chat, held } from './chatFakes';

describe('chatViews', () => {
  it('names who reacted and who replied, and marks the user’s own reaction', () => {
    const model = new FakeModel();
    const view = messageView(
      held(5, {
        reactions: [
          { emoji: '👍', by: [BOB, SELF] },
          { emoji: '🎉', by: [CAROL] },
        ],
        replies: { count: 3, lastTs: T0 + 9000, by: [CAROL, BOB] },
        edited: T0 + 6000,
      }),
      model,
    );
    assert.deepStrictEqual(view.reactions, [
      { emoji: '👍', count: 2, names: ['bob', 'you'], mine: true },
      { emoji: '🎉', count: 1, names: ['carol'], mine: false },
    ]);
    assert.deepStrictEqual(view.replies, { count: 3, lastTs: T0 + 9000, names: ['carol', 'bob'] });
    assert.strictEqual(view.edited, T0 + 6000);
    assert.strictEqual(view.deleted, undefined);
    assert.strictEqual(messageView(held(6, { deleted: true, text: '' }), model).deleted, true);
  });

  it('caps the names per reaction, keeping the count', () => {
    const model = new FakeModel();
    const many = Array.from({ length: 30 }, (_, i) => `${'X'.repeat(20)}${String(i).padStart(2, '0')}`);
    const view = messageView(held(5, { reactions: [{ emoji: '👀', by: many }] }), model);
    assert.strictEqual(view.reactions![0]!.count, 30);
    assert.strictEqual(view.reactions![0]!.names.length, 20);
  });

  it('lists channels (#general first, archived and left ones out) before direct messages (most recent first)', () => {
    const model = new FakeModel();
    model.channelList = [
      DEPLOYS,
      { ...DEPLOYS, id: 'alpha', conversationId: 'channel:alpha', name: 'alpha', mentions: 0, private: true },
      { ...DEPLOYS, id: 'old', conversationId: 'channel:old', name: 'old', archived: true },
      { ...DEPLOYS, id: 'left', conversationId: 'channel:left', name: 'left', member: false },
    ];
    model.store.addIncoming(chat(1, { from: CAROL, fromName: 'carol' }));
    model.store.addIncoming(chat(2, { to: [SELF, CAROL] }));
    model.store.addIncoming(chat(3, { to: '#deploys', text: 'ship it' }));
    const list = conversationSummaries(model);
    assert.deepStrictEqual(
      list.map((c) => [c.id, c.title, c.kind]),
      [
        ['all', '#general', 'channel'],
        ['channel:alpha', '#alpha', 'channel'],
        ['channel:deploys', '#deploys', 'channel'],
        [`group:${BOB},${CAROL}`, 'bob, carol', 'group'],
        [`peer:${CAROL}`, 'carol', 'peer'],
        [`peer:${BOB}`, 'bob', 'peer'],
      ],
    );
    const deploys = list.find((c) => c.id === 'channel:deploys')!;
    assert.strictEqual(deploys.unread, 1);
    assert.strictEqual(deploys.mentions, 2);
    assert.strictEqual(deploys.online, false);
    assert.strictEqual(deploys.lastText, 'bob: ship it');
    assert.strictEqual(list.find((c) => c.id === 'channel:alpha')!.private, true);
    assert.strictEqual(list.find((c) => c.id === `peer:${BOB}`)!.online, true);
    // The conversation on screen stays listed, even an archived channel.
    assert.ok(conversationSummaries(model, 'channel:old').some((c) => c.id === 'channel:old'));
  });

  it('a channel’s view has its topic, member count and names; archived says so', () => {
    const model = new FakeModel();
    model.store.addIncoming(chat(3, { to: '#deploys' }));
    const messages = model.store.get('channel:deploys')!.messages;
    const view = conversationView(model, 'channel:deploys', { messages, hasOlder: true, cards: [], firstUnreadId: 'ep-3' });
    assert.strictEqual(view.title, '#deploys');
    assert.strictEqual(view.kind, 'channel');
    assert.strictEqual(view.topic, 'Releases');
    assert.strictEqual(view.memberCount, 3);
    assert.deepStrictEqual(view.memberNames, ['you', 'bob', 'carol']);
    assert.strictEqual(view.firstUnreadId, 'ep-3');
    assert.strictEqual(view.archived, undefined);
    assert.strictEqual(view.seen, undefined, 'no "Seen by" in channels');
    model.channelList = [{ ...DEPLOYS, archived: true }];
    assert.strictEqual(conversationView(model, 'channel:deploys', { messages, hasOlder: false, cards: [] }).archived, true);
  });

  it('"Seen by" goes under the user’s newest relay message in a direct conversation', () => {
    const model = new FakeModel();
    model.store.addIncoming(chat(1));
    model.store.addIncoming(chat(2, { from: SELF, fromName: 'alice', to: [BOB] }));
    model.store.addIncoming(chat(3));
    const messages = model.store.get(`peer:${BOB}`)!.messages;
    assert.strictEqual(seenView(model, `peer:${BOB}`, messages), undefined, 'nobody has read it');
    model.seen.set(2, ['bob']);
    assert.deepStrictEqual(seenView(model, `peer:${BOB}`, messages), { messageId: 'ep-2', names: ['bob'] });
    assert.deepStrictEqual(conversationView(model, `peer:${BOB}`, { messages, hasOlder: false, cards: [] }).seen, { messageId: 'ep-2', names: ['bob'] });
  });

  it('shows a file offer once: as its card where the card is held, else as a message naming the files', () => {
    const model = new FakeModel();
    model.store.addIncoming(chat(1, { text: 'here it comes' }));
    model.store.addIncoming(chat(2, { text: '', files: [{ name: 'notes.txt', size: 12 }] }));
    const messages = model.store.get(`peer:${BOB}`)!.messages;
    const card = { id: 'card-1', conversationId: `peer:${BOB}`, ts: T0 + 2000, messageId: 'ep-2' } as FileCard;
    const withCard = conversationView(model, `peer:${BOB}`, { messages, hasOlder: false, cards: [card] });
    assert.deepStrictEqual(
      withCard.messages.map((m) => m.id),
      ['ep-1'],
    );
    assert.deepStrictEqual(withCard.cards, [card]);
    const elsewhere = conversationView(model, `peer:${BOB}`, { messages, hasOlder: false, cards: [{ ...card, messageId: 'ep-9' }] });
    assert.deepStrictEqual(
      elsewhere.messages.map((m) => [m.id, m.files]),
      [
        ['ep-1', undefined],
        ['ep-2', [{ name: 'notes.txt', size: '12 B' }]],
      ],
    );
    assert.strictEqual(conversationSummaries(model).find((c) => c.id === `peer:${BOB}`)!.lastText, 'bob: offered notes.txt');
  });

  it('previews a markdown message as the words it shows, on one line', () => {
    const model = new FakeModel();
    model.store.addIncoming(chat(1, { text: '**Deploy** of `web`:\n\n- [x] green\n- <b>raw</b>' }));
    assert.strictEqual(conversationSummaries(model).find((c) => c.id === `peer:${BOB}`)!.lastText, 'bob: Deploy of web: • ☑ green • <b>raw</b>');
  });
});
