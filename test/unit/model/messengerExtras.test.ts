import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../../src/net/identity';
import type { Attachment } from '../../../src/net/protocol/richMessages';
import { connectClient, startRelay, useCleanup } from '../helpers/loopback';
import { TestClientSource, testMessenger } from '../helpers/messengerSource';
import { MemoryState } from '../helpers/savedState';
import { until } from '../helpers/security';

/**
 * The model's plumbing of issue 27 over a loopback relay: send() and reply() carry mentions,
 * urgency and attachments to the relay and back into the store. (Asking for an attachment and
 * answering requests is the AttachmentExchange's: attachmentExchange.test.ts.)
 */

const IMAGE: Attachment = { id: 'img', kind: 'image', name: 'diagram.png', size: 1234, mime: 'image/png', sha256: '12'.repeat(32), width: 40, height: 30 };

describe('Messenger message extras', function () {
  const cleanup = useCleanup();

  it('sends and replies with extras', async function () {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    const source = new TestClientSource(cleanup);
    const model = testMessenger(cleanup, source, { state: new MemoryState() });
    await source.connect(port, 'alice', generateIdentity());
    const conversationId = `peer:${bob.clientId}`;

    const sent = model.send(conversationId, '@bob the diagram', undefined, { mentions: [bob.clientId], urgent: true, attachments: [IMAGE] });
    assert.deepEqual([sent?.mentions, sent?.urgent, sent?.attachments], [[bob.clientId], true, [IMAGE]], 'shown with them while pending');
    const atBob = await bob.waitForText('@bob the diagram');
    assert.deepEqual([atBob.mentions, atBob.urgent, atBob.attachments], [[bob.clientId], true, [IMAGE]]);
    const delivered = await until(() => model.store.get(conversationId)?.messages.find((m) => m.id === atBob.id), 'the ack in the store');
    assert.deepEqual(delivered.attachments, [IMAGE]);

    const reply = model.reply(conversationId, atBob.id, 'and @channel', { mentions: ['channel'] });
    assert.ok(reply);
    const replied = await bob.waitForText('and @channel');
    assert.deepEqual([replied.thread, replied.mentions], [atBob.id, ['channel']]);
  });
});
