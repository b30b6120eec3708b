import { strict as assert } from 'node:assert';
import { Limits } from '../../../src/net/protocol/limits';
import { describeMentions, mentionsUser, mentionText, resolveMentions } from '../../../src/model/mentions';

const SELF = 'S'.repeat(22);
const BOB = 'B'.repeat(22);
const BOB_SMITH = 'b'.repeat(22);
const CAROL = 'C'.repeat(22);
const NAMES: Record<string, string> = { [SELF]: 'alice', [BOB]: 'Bob', [BOB_SMITH]: 'Bob Smith', [CAROL]: 'carol' };
const nameOf = (id: string) => NAMES[id] ?? id.slice(0, 6);

describe('mentions', () => {
  it('keeps the picks whose @name the text still holds, in order and once each', () => {
    assert.deepStrictEqual(resolveMentions('@carol and @Bob Smith, look', [BOB_SMITH, CAROL, BOB_SMITH], nameOf), [BOB_SMITH, CAROL]);
    assert.deepStrictEqual(resolveMentions('@CAROL?', [CAROL], nameOf), [CAROL], 'any case');
  });

  it('drops a pick whose @name was edited away or only starts a longer word', () => {
    assert.deepStrictEqual(resolveMentions('never mind', [CAROL], nameOf), []);
    assert.deepStrictEqual(resolveMentions('@caroline is here', [CAROL], nameOf), []);
    assert.deepStrictEqual(resolveMentions('mail carol@example.com', [CAROL], nameOf), []);
    assert.deepStrictEqual(resolveMentions('carol without the at', [CAROL], nameOf), []);
  });

  it('counts a typed @channel or @here without a pick, and refuses malformed picks', () => {
    assert.deepStrictEqual(resolveMentions('@here standup in 5 @channel', [], nameOf), ['channel', 'here']);
    assert.deepStrictEqual(resolveMentions('@here', ['here', 'here'], nameOf), ['here']);
    assert.deepStrictEqual(resolveMentions('@somewhere', [], nameOf), []);
    assert.deepStrictEqual(resolveMentions('@bob', ['bob', 'not an id!', ''], nameOf), []);
  });

  it('keeps at most the protocol’s number of mentions', () => {
    const ids = Array.from({ length: 80 }, (_, i) => `${'P'.repeat(20)}${String(i).padStart(2, '0')}`);
    const name = (id: string) => `p${id.slice(-2)}`;
    const out = resolveMentions(`${ids.map((id) => `@${name(id)}`).join(' ')} @here`, ids, name);
    assert.strictEqual(out.length, Limits.mentionsPerMessage);
    assert.deepStrictEqual(out.slice(0, 3), ids.slice(0, 3), 'the picks first, in order');
    assert.ok(!out.includes('here'));
  });

  it('tells whether a message mentions the user: by id, or @channel/@here; never their own message', () => {
    assert.equal(mentionsUser([BOB, SELF], SELF, false), true);
    assert.equal(mentionsUser([BOB], SELF, false), false);
    assert.equal(mentionsUser(['here'], SELF, false), true);
    assert.equal(mentionsUser(['channel'], SELF, false), true);
    assert.equal(mentionsUser(['channel', SELF], SELF, true), false);
    assert.equal(mentionsUser(undefined, SELF, false), false);
    assert.equal(mentionsUser([SELF], '', false), false, 'no identity yet: nobody is the user');
  });

  it('describes mentions by the reader’s names', () => {
    assert.equal(mentionText('here', nameOf), '@here');
    assert.deepStrictEqual(describeMentions([BOB_SMITH, SELF, 'channel'], SELF, false, nameOf), [
      { text: '@Bob Smith', self: false },
      { text: '@alice', self: true },
      { text: '@channel', self: true },
    ]);
    assert.deepStrictEqual(describeMentions(['here'], SELF, true, nameOf), [{ text: '@here', self: false }]);
  });
});
