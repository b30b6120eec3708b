import { strict as assert } from 'node:assert';
import { ConversationStore } from '../../../src/model/conversationStore';
import type { ConversationId } from '../../../src/model/conversationTypes';
import { Emitter } from '../../../src/model/lifecycle';
import type { IncomingNotice, StoreChange } from '../../../src/model/messengerModel';
import type { NotifyLevel, QuietReason } from '../../../src/model/notificationPolicy';
import { NoticeGate, ShownNotice } from '../../../src/model/notificationPolicyGate';
import type { HeldSummary } from '../../../src/model/notificationPolicySummary';
import type { ChatMessage, PeerStatus } from '../../../src/net/protocol/messages';

const SELF = 'S'.repeat(22);
const BOB = 'B'.repeat(22);
const DM: ConversationId = `peer:${BOB}`;
const DEPLOYS: ConversationId = 'channel:deploys';

/** The gate between a real store and the notices, with the status and quiet mode set by hand. */
function gateFixture() {
  const store = new ConversationStore({ selfId: SELF });
  const notices = new Emitter<IncomingNotice>();
  const storeChanged = new Emitter<StoreChange>();
  store.onDidChange((change) => storeChanged.fire(change));
  const statusChanged = new Emitter<PeerStatus>();
  const quietChanged = new Emitter<QuietReason | undefined>();
  const levels = new Map<ConversationId, NotifyLevel>();
  const status = { current: 'online' as PeerStatus, onDidChange: statusChanged.event };
  const quiet = { reason: undefined as QuietReason | undefined, onDidChange: quietChanged.event };
  const gate = new NoticeGate({
    model: {
      onNotice: notices.event,
      onStoreChanged: storeChanged.event,
      store,
      selfName: 'alice',
      conversationTitle: (id) => (id === DM ? 'bob' : '#deploys'),
    },
    levels: { get: (id) => levels.get(id) },
    defaults: () => ({ direct: 'all', channels: 'mentions' }),
    status,
    quiet,
  });
  const shown: ShownNotice[] = [];
  const summaries: HeldSummary[] = [];
  gate.onShow((n) => shown.push(n));
  gate.onSummary((s) => summaries.push(s));
  let seq = 0;
  /** A message arrives (in the store first, as the Messenger does) and is news. */
  const arrive = (conversationId: ConversationId, fields: Partial<ChatMessage> = {}) => {
    seq++;
    const message: ChatMessage = {
      t: 'message',
      id: `m-${seq}`,
      seq,
      ts: 1000 + seq,
      from: BOB,
      fromName: 'bob',
      to: conversationId === DM ? [SELF] : '#deploys',
      text: `news ${seq}`,
      ...fields,
    };
    store.addIncoming(message);
    notices.fire({ conversationId, message });
    return message;
  };
  return {
    gate,
    store,
    levels,
    shown,
    summaries,
    arrive,
    setStatus(value: PeerStatus) {
      status.current = value;
      statusChanged.fire(value);
    },
    setQuiet(reason: QuietReason | undefined) {
      quiet.reason = reason;
      quietChanged.fire(reason);
    },
  };
}

describe('the notice gate', function () {
  it('an @mention in a muted conversation still notifies; the rest of it does not', function () {
    const f = gateFixture();
    f.levels.set(DEPLOYS, 'muted');
    f.arrive(DEPLOYS, { text: 'deploying now' });
    f.arrive(DEPLOYS, { text: '@channel heads up', mentions: ['channel'] });
    f.arrive(DEPLOYS, { text: '@alice can you look?', mentions: [SELF] });
    assert.deepEqual(
      f.shown.map((n) => n.message.text),
      ['@alice can you look?'],
    );
    assert.equal(f.gate.heldCount, 0, 'dropped, not held');
  });

  it('channels default to mentions only, direct messages to all', function () {
    const f = gateFixture();
    f.arrive(DEPLOYS, { text: 'chatter' });
    f.arrive(DM, { text: 'hi alice' });
    f.arrive(DEPLOYS, { text: 'hey @alice' });
    assert.deepEqual(
      f.shown.map((n) => n.message.text),
      ['hi alice', 'hey @alice'],
    );
    assert.equal(f.gate.levelOf(DEPLOYS), 'mentions');
    f.levels.set(DEPLOYS, 'all');
    assert.equal(f.gate.levelOf(DEPLOYS), 'all');
  });

  it('holds while debugging, lets mentions and urgent messages through, then sums up once the session ends', function () {
    const f = gateFixture();
    f.levels.set(DEPLOYS, 'all');
    f.setQuiet('debugging');
    for (let i = 0; i < 5; i++) f.arrive(DEPLOYS);
    f.arrive(DM);
    f.arrive(DM);
    f.arrive(DM, { text: 'prod is down', urgent: true });
    f.arrive(DEPLOYS, { text: 'ping', mentions: [SELF] });
    assert.deepEqual(
      f.shown.map((n) => [n.message.text, n.breakthrough]),
      [
        ['prod is down', 'urgent'],
        ['ping', 'mention'],
      ],
    );
    assert.equal(f.gate.heldCount, 7);
    assert.equal(f.summaries.length, 0, 'nothing said while quiet');
    f.setQuiet(undefined);
    assert.deepEqual(
      f.summaries.map((s) => s.text),
      ['While you were debugging: 5 messages in #deploys, 2 from bob'],
    );
    assert.equal(f.gate.heldCount, 0);
    f.setQuiet('typing');
    f.setQuiet(undefined);
    assert.equal(f.summaries.length, 1, 'nothing held, no second summary');
  });

  it('Do Not Disturb holds mentions too, until the status changes; quiet mode ending meanwhile says nothing', function () {
    const f = gateFixture();
    f.setStatus('dnd');
    f.arrive(DM, { text: 'hey @alice', mentions: [SELF] });
    f.arrive(DM, { text: 'urgent', urgent: true });
    assert.deepEqual(
      f.shown.map((n) => n.message.text),
      ['urgent'],
    );
    f.setQuiet('typing');
    f.arrive(DM);
    f.setQuiet(undefined);
    assert.equal(f.summaries.length, 0, 'still Do Not Disturb');
    f.setStatus('online');
    assert.deepEqual(
      f.summaries.map((s) => s.text),
      ['While Do Not Disturb was on: 2 from bob'],
    );
  });

  it('Busy lets mentions through; Away holds nothing', function () {
    const f = gateFixture();
    f.setStatus('busy');
    f.arrive(DM, { text: 'lunch?' });
    f.arrive(DM, { text: '@alice review please' });
    f.setStatus('away');
    assert.deepEqual(
      f.shown.map((n) => n.message.text),
      ['@alice review please'],
    );
    assert.deepEqual(
      f.summaries.map((s) => s.text),
      ['While you were busy: 1 from bob'],
    );
    f.arrive(DM, { text: 'back?' });
    assert.equal(f.shown.at(-1)?.message.text, 'back?');
  });

  it('a conversation read while quiet leaves the summary', function () {
    const f = gateFixture();
    f.levels.set(DEPLOYS, 'all');
    f.setQuiet('typing');
    f.arrive(DEPLOYS);
    f.arrive(DM);
    f.store.markRead(DM);
    assert.equal(f.gate.heldCount, 1);
    f.setQuiet(undefined);
    assert.deepEqual(
      f.summaries.map((s) => s.text),
      ['While you were typing: 1 message in #deploys'],
    );
  });
});
