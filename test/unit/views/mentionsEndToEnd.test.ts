import { strict as assert } from 'node:assert';
import { resolveMentions } from '../../../src/model/mentions';
import { generateIdentity } from '../../../src/net/identity';
import { messageView } from '../../../src/views/chatViews';
import { directoryView } from '../../../src/views/mentionDirectory';
import { startRelay, useCleanup } from '../helpers/loopback';
import { TestClientSource, testMessenger } from '../helpers/messengerSource';
import { until } from '../helpers/security';

/**
 * A mention from composer to reader over a real relay: alice's directory offers bob, the send
 * keeps the picks the text still names (what the chat panel does with the webview's picks), the
 * relay carries them, and bob's view of the message says it mentions him.
 */
describe('mentions end to end (two Messengers over a loopback relay)', function () {
  const cleanup = useCleanup();

  it('a picked @bob and a typed @here reach bob as mentions of him; alice’s own copy mentions nobody of hers', async () => {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const aliceSource = new TestClientSource(cleanup);
    const bobSource = new TestClientSource(cleanup);
    const alice = testMessenger(cleanup, aliceSource, { name: 'alice' });
    const bob = testMessenger(cleanup, bobSource, { name: 'bob' });
    const bobIdentity = generateIdentity();
    await aliceSource.connect(port, 'alice', generateIdentity());
    await bobSource.connect(port, 'bob', bobIdentity);
    await until(() => directoryView(alice).people.some((p) => p.id === bobIdentity.clientId), 'bob in alice’s directory');
    assert.deepEqual(
      directoryView(alice).people.find((p) => p.id === bobIdentity.clientId),
      { id: bobIdentity.clientId, name: 'bob', online: true },
    );

    const text = '@bob can you look? @here';
    const mentions = resolveMentions(text, [bobIdentity.clientId, alice.selfId.replace(/./, 'Z')], (id) => alice.nameOf(id));
    assert.deepEqual(mentions, [bobIdentity.clientId, 'here'], 'a pick the text does not name is dropped');
    assert.ok(alice.send('all', text, undefined, { mentions }));

    const received = await until(() => bob.store.get('all')?.messages.find((m) => m.text === text), 'bob to receive it');
    assert.deepEqual(received.mentions, [bobIdentity.clientId, 'here']);
    const view = messageView(received, bob);
    assert.equal(view.mentionsSelf, true);
    assert.deepEqual(view.mentions, [
      { text: '@bob', self: true },
      { text: '@here', self: true },
    ]);

    const own = await until(() => alice.store.get('all')?.messages.find((m) => m.text === text && m.state !== 'pending'), 'alice’s copy acknowledged');
    const ownView = messageView(own, alice);
    assert.equal(ownView.mentionsSelf, undefined);
    assert.deepEqual(
      ownView.mentions?.map((m) => m.text),
      ['@bob', '@here'],
    );
  });
});
