import { strict as assert } from 'node:assert';
import { ConversationStore } from '../../../src/model/conversationStore';
import type { PatchRef, ProblemRef } from '../../../src/net/protocol/codeMessages';
import type { ChatMessage } from '../../../src/net/protocol/messages';

/**
 * A message's patch and terminal/problem block (issue 28) as the model keeps them: on an own
 * message typed and acknowledged, on one from the relay, and across a save and a reload (a saved
 * message whose patch is malformed is dropped, not half kept).
 */

const SELF = 'S'.repeat(22);
const ALICE = 'A'.repeat(22);
const T0 = 1_700_000_000_000;
const PATCH: PatchRef = {
  text: 'diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\n',
  files: [{ path: 'a', change: 'modified', added: 1, removed: 1 }],
  repositories: ['github.com/team/app'],
  commit: 'f'.repeat(40),
};
const PROBLEM: ProblemRef = { path: 'src/a.ts', line: 3, column: 2, severity: 'warning', message: 'unused', source: 'ts' };

function incoming(fields: Partial<ChatMessage>): ChatMessage {
  return { t: 'message', id: 'ep-1', seq: 1, ts: T0, from: ALICE, fromName: 'alice', to: [SELF], text: 'hi', ...fields };
}

describe('code parts in the conversation store', function () {
  it('keeps them on an own message through its ack and on one from the relay, and across a reload', function () {
    const store = new ConversationStore({ selfId: SELF });
    const pending = store.addOutgoing({ ref: 'r1', to: [ALICE], text: 'my changes', patch: PATCH }, 'me', T0);
    assert.deepEqual(pending.patch, PATCH);
    const acked = store.acknowledge('r1', { t: 'ack', ref: 'r1', id: 'ep-2', seq: 2, ts: T0 + 1, reached: 1, online: [], offline: [] });
    assert.deepEqual(acked?.patch, PATCH);
    store.addIncoming(incoming({ text: 'at a (src/a.ts:3:2)', block: 'problem', problem: PROBLEM }));
    const received = store.message(`peer:${ALICE}`, 'ep-1');
    assert.deepEqual([received?.block, received?.problem], ['problem', PROBLEM]);
    store.addOutgoing({ ref: 'r3', to: [ALICE], text: 'trace', block: 'terminal' }, 'me', T0 + 5);

    const restored = ConversationStore.fromJSON(JSON.parse(JSON.stringify(store.toJSON())), { selfId: SELF });
    assert.deepEqual(restored.conversations, store.conversations);
    const [queued] = restored.pendingMessages();
    assert.equal(queued!.message.block, 'terminal', 'a queued block goes out as typed after a reload');
  });

  it('drops a saved message whose patch is malformed, keeping the others', function () {
    const store = new ConversationStore({ selfId: SELF });
    store.addIncoming(incoming({ id: 'ep-1', seq: 1, text: 'good', patch: PATCH }));
    store.addIncoming(incoming({ id: 'ep-2', seq: 2, ts: T0 + 1, text: 'bad', patch: PATCH }));
    const json = JSON.parse(JSON.stringify(store.toJSON())) as { conversations: { messages: Record<string, unknown>[] }[] };
    const bad = json.conversations[0]!.messages.find((m) => m.text === 'bad')!;
    bad.patch = { ...PATCH, commit: 'HEAD' };
    const restored = ConversationStore.fromJSON(json, { selfId: SELF });
    assert.deepEqual(
      restored.conversations[0]!.messages.map((m) => [m.text, m.patch?.files.length]),
      [['good', 1]],
    );
  });
});
