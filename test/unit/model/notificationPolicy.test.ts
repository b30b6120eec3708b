import { strict as assert } from 'node:assert';
import { decideNotice, effectiveLevel, FocusState, holdReason, NoticeFacts, NotifyLevel } from '../../../src/model/notificationPolicy';
import { summariseHeld } from '../../../src/model/notificationPolicySummary';
import { describeFocus } from '../../../src/model/notificationPolicyText';
import type { PeerStatus } from '../../../src/net/protocol/messages';

const plain: NoticeFacts = { channel: false, mention: undefined, urgent: false, inOwnThread: false };
const byName: NoticeFacts = { ...plain, mention: 'self' };
const room: NoticeFacts = { ...plain, mention: 'room' };
const urgent: NoticeFacts = { ...plain, urgent: true };
const thread: NoticeFacts = { ...plain, inOwnThread: true };

function state(fields: Partial<FocusState> = {}): FocusState {
  return { status: 'online', level: 'all', quiet: undefined, ...fields };
}

describe('notification policy', function () {
  it('Available, level all: every message shows', function () {
    for (const facts of [plain, byName, room, urgent, thread]) assert.equal(decideNotice(facts, state()), 'show');
  });

  it('Away notifies as usual', function () {
    assert.equal(decideNotice(plain, state({ status: 'away' })), 'show');
  });

  it('mentions only: mentions (also @channel/@here), replies in own threads and urgent; the rest dropped', function () {
    const s = state({ level: 'mentions' });
    assert.equal(decideNotice(plain, s), 'drop');
    assert.equal(decideNotice(byName, s), 'show');
    assert.equal(decideNotice(room, s), 'show');
    assert.equal(decideNotice(thread, s), 'show');
    assert.equal(decideNotice(urgent, s), 'show');
  });

  it('muted: a mention of the user by name and urgent messages still notify; @channel, threads and the rest do not', function () {
    const s = state({ level: 'muted' });
    assert.equal(decideNotice(byName, s), 'show');
    assert.equal(decideNotice(urgent, s), 'show');
    assert.equal(decideNotice(plain, s), 'drop');
    assert.equal(decideNotice(room, s), 'drop');
    assert.equal(decideNotice(thread, s), 'drop');
  });

  it('Do Not Disturb holds everything but urgent messages, mentions included', function () {
    const s = state({ status: 'dnd' });
    assert.equal(decideNotice(urgent, s), 'show');
    assert.equal(decideNotice(byName, s), 'hold');
    assert.equal(decideNotice(plain, s), 'hold');
    // What the level drops is not held for the summary either.
    assert.equal(decideNotice(plain, state({ status: 'dnd', level: 'muted' })), 'drop');
    assert.equal(decideNotice({ ...urgent, channel: true }, state({ status: 'dnd', level: 'muted' })), 'show');
  });

  it('Busy holds all but mentions and urgent messages', function () {
    const s = state({ status: 'busy' });
    assert.equal(decideNotice(plain, s), 'hold');
    assert.equal(decideNotice(thread, s), 'hold');
    assert.equal(decideNotice(byName, s), 'show');
    assert.equal(decideNotice(room, s), 'show');
    assert.equal(decideNotice(urgent, s), 'show');
  });

  it('quiet mode (debugging or typing) holds all but mentions and urgent messages', function () {
    for (const quiet of ['debugging', 'typing'] as const) {
      const s = state({ quiet });
      assert.equal(decideNotice(plain, s), 'hold', quiet);
      assert.equal(decideNotice(byName, s), 'show', quiet);
      assert.equal(decideNotice(urgent, s), 'show', quiet);
      // A mention in a muted conversation gets through quiet mode too.
      assert.equal(decideNotice(byName, { ...s, level: 'muted' }), 'show', quiet);
    }
  });

  it('what holds, strongest first', function () {
    const cases: [PeerStatus, 'debugging' | 'typing' | undefined, string | undefined][] = [
      ['online', undefined, undefined],
      ['away', undefined, undefined],
      ['online', 'typing', 'typing'],
      ['away', 'debugging', 'debugging'],
      ['busy', 'debugging', 'busy'],
      ['dnd', 'typing', 'dnd'],
    ];
    for (const [status, quiet, reason] of cases) assert.equal(holdReason(status, quiet), reason, `${status} ${quiet}`);
  });

  it("a conversation's own level, else the default for its kind", function () {
    const defaults: { direct: NotifyLevel; channels: NotifyLevel } = { direct: 'all', channels: 'mentions' };
    assert.equal(effectiveLevel(undefined, false, defaults), 'all');
    assert.equal(effectiveLevel(undefined, true, defaults), 'mentions');
    assert.equal(effectiveLevel('muted', false, defaults), 'muted');
    assert.equal(effectiveLevel('all', true, defaults), 'all');
  });
});

describe('the summary of held notifications', function () {
  const deploys = { conversationId: 'channel:deploys', title: '#deploys', kind: 'channel' as const };
  const bob = { conversationId: 'peer:bob', title: 'bob', kind: 'direct' as const };
  const group = { conversationId: 'group:bob,carol', title: 'bob, carol', kind: 'group' as const };

  it('counts per conversation, the busiest first', function () {
    const held = [bob, deploys, deploys, bob, deploys, deploys, deploys];
    const summary = summariseHeld(held, 'debugging');
    assert.deepEqual(summary, { text: 'While you were debugging: 5 messages in #deploys, 2 from bob', conversationId: 'channel:deploys', count: 7 });
  });

  it('names the reason, one message in the singular, groups by their members', function () {
    assert.equal(summariseHeld([group], 'dnd')?.text, 'While Do Not Disturb was on: 1 message in bob, carol');
    assert.equal(summariseHeld([bob], 'typing')?.text, 'While you were typing: 1 from bob');
    assert.equal(summariseHeld([deploys], 'busy')?.text, 'While you were busy: 1 message in #deploys');
  });

  it('ties keep the order they came in; beyond three conversations the rest are counted', function () {
    const others = [1, 2, 3].map((n) => ({ conversationId: `channel:c${n}`, title: `#c${n}`, kind: 'channel' as const }));
    const summary = summariseHeld([bob, deploys, group, ...others, others[2]], 'typing');
    assert.equal(summary?.text, 'While you were typing: 2 messages in #c3, 1 from bob, 1 message in #deploys, 3 messages in 3 other conversations');
    assert.equal(summary?.conversationId, 'channel:c3');
  });

  it('nothing held, no summary', function () {
    assert.equal(summariseHeld([], 'typing'), undefined);
  });
});

describe("the status bar's focus item", function () {
  it('an icon alone when Available; the status named otherwise, its icon rendered (not neutralised)', function () {
    assert.equal(describeFocus('online', false, undefined, 0).text, '$(bell)');
    assert.equal(describeFocus('dnd', false, undefined, 0).text, '$(bell-slash) Do Not Disturb');
    assert.equal(describeFocus('busy', false, undefined, 0).text, '$(circle-slash) Busy');
  });

  it('quiet mode and the held count; the tooltip says what gets through', function () {
    const debugging = describeFocus('online', false, 'debugging', 3);
    assert.equal(debugging.text, '$(bell) $(debug) quiet · 3 held');
    assert.match(debugging.tooltip, /while you are debugging; mentions and urgent messages still come through/);
    assert.match(describeFocus('dnd', false, undefined, 0).tooltip, /Only urgent messages notify/);
    assert.match(describeFocus('away', true, undefined, 0).tooltip, /Away \(idle; back on your next activity\)/);
  });
});
