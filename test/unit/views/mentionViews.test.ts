import { strict as assert } from 'node:assert';
import { messageView } from '../../../src/views/chatViews';
import { BOB, CAROL, FakeModel, SELF, held } from './chatFakes';

describe('chatViews: mentions', () => {
  it('names each mention for the webview and says whether the user is mentioned', () => {
    const model = new FakeModel();
    const view = messageView(held(5, { text: '@carol @alice look', mentions: [CAROL, SELF], urgent: true }), model);
    assert.deepStrictEqual(view.mentions, [
      { text: '@carol', self: false },
      { text: '@alice', self: true },
    ]);
    assert.equal(view.mentionsSelf, true);
    assert.equal(view.urgent, true);
  });

  it('@here mentions the reader, but not in their own message; no mentions, no fields', () => {
    const model = new FakeModel();
    assert.equal(messageView(held(6, { mentions: ['here'] }), model).mentionsSelf, true);
    const own = messageView(held(7, { from: SELF, own: true, mentions: ['here', BOB] }), model);
    assert.equal(own.mentionsSelf, undefined);
    assert.deepStrictEqual(own.mentions, [
      { text: '@here', self: false },
      { text: '@bob', self: false },
    ]);
    const plain = messageView(held(8), model);
    assert.equal('mentions' in plain || 'mentionsSelf' in plain || 'urgent' in plain, false);
    assert.equal(messageView(held(9, { deleted: true, text: '', mentions: [SELF] }), model).mentions, undefined, 'a tombstone mentions nobody');
  });
});
