import { strict as assert } from 'node:assert';
import {
  channelKey,
  channelNameProblem,
  channelOfKey,
  conversationKeyOf,
  GENERAL_KEY,
  normaliseChannelName,
  participantsOfKey,
  peopleKey,
  seqOfMessageId,
} from '../../../../src/net/protocol/conversationKeys';
import { Prng } from '../../helpers/prng';

const A = 'A'.repeat(43);
const B = 'b'.repeat(43);
const C = 'c_-'.repeat(10) + 'z';

describe('conversationKeys', () => {
  it("'all' is #general; a channel target is its own key", () => {
    assert.equal(conversationKeyOf('all', A), GENERAL_KEY);
    assert.equal(conversationKeyOf('#Qx_9', A), '#Qx_9');
    assert.equal(channelKey('general'), GENERAL_KEY);
    assert.equal(channelOfKey('#Qx_9'), 'Qx_9');
    assert.equal(channelOfKey(`@${A}`), undefined);
  });

  it('both sides of a direct conversation name it the same, whoever sends', () => {
    assert.equal(conversationKeyOf([B], A), conversationKeyOf([A], B));
    assert.equal(conversationKeyOf([B], A), `@${A},${B}`);
    assert.deepEqual(participantsOfKey(conversationKeyOf([B], A)), [A, B]);
    assert.deepEqual(participantsOfKey('#general'), []);
  });

  it('a group key is every participant once, sorted in code-unit order, sender included', () => {
    const rng = new Prng(26);
    const people = [A, B, C];
    for (let i = 0; i < 200; i++) {
      const from = rng.pick(people);
      const to = Array.from({ length: rng.int(1, 5) }, () => rng.pick(people));
      const key = conversationKeyOf(to, from);
      const expected = [...new Set([from, ...to])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      assert.deepEqual(participantsOfKey(key), expected);
      assert.equal(peopleKey([...expected].reverse()), key);
    }
    // Notes to oneself.
    assert.equal(conversationKeyOf([A], A), `@${A}`);
  });

  it('channel names: lowercase letters, digits, - and _, at most 80, with a reason for each refusal', () => {
    for (const good of ['general', 'deploys', 'team-2', 'a', '0day', 'x'.repeat(80), 'dev_ops']) assert.equal(channelNameProblem(good), undefined, good);
    const refusals: Array<[string, RegExp]> = [
      ['', /needs a name/],
      ['x'.repeat(81), /at most 80/],
      ['#general', /leave out the "#"/],
      ['Deploys', /lowercase/],
      ['dev ops', /lowercase/],
      ['-start', /starting with a letter or digit/],
      ['naïve', /lowercase/],
      ['<script>', /lowercase/],
      ['a\u202eb', /lowercase/],
    ];
    for (const [name, reason] of refusals) assert.match(channelNameProblem(name) ?? 'accepted', reason, JSON.stringify(name));
    assert.equal(normaliseChannelName('  #Deploys '), 'deploys');
  });

  it('the seq in a message id, and nothing from ids that are not ones', () => {
    assert.equal(seqOfMessageId('e-7f3a-1205'), 1205);
    assert.equal(seqOfMessageId('AbC_d-9'), 9);
    for (const bad of ['', '-5', 'e-', 'e-0', 'e-01', 'e-1.5', 'e-1e3', 'e-99999999999999999', 'e- 5', 'local:abc', 'e-5x']) {
      assert.equal(seqOfMessageId(bad), undefined, bad);
    }
  });
});
