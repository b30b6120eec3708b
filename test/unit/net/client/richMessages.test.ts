import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { peopleKey } from '../../../../src/net/protocol/conversationKeys';
import { ErrorCode } from '../../../../src/net/protocol/errors';
import type { Attachment, FileRequestIn } from '../../../../src/net/protocol/richMessages';
import type { IncomingTransfer } from '../../../../src/net/transfer/incomingTransfer';
import { connectClient, rejectsWithCode, startRelay, tempDir, useCleanup, waitForEvent, withTimeout } from '../../helpers/loopback';

/**
 * The client's side of issue 27 against a real relay on loopback: a message's mentions, urgency
 * and attachments go out and come back, and an attachment travels the whole way — the reader's
 * requestAttachment, the author's 'file-request' event, the author's offer naming the
 * attachment, the reader's transfer that carries it — and arrives with the SHA-256 it announced.
 */
describe('TeamClient rich messages and attachment requests', function () {
  const cleanup = useCleanup();

  it('sends mentions, urgency and attachments, and fetches an attachment from its author by request', async function () {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    const dir = tempDir(cleanup);
    const file = path.join(dir, 'chart.png');
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256));
    fs.writeFileSync(file, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const attachment: Attachment = {
      id: sha256.slice(0, 16),
      kind: 'image',
      name: 'chart.png',
      size: bytes.length,
      mime: 'image/png',
      sha256,
      width: 10,
      height: 500,
    };

    const sent = alice.send([bob.clientId], 'the chart', { mentions: [bob.clientId, bob.clientId], urgent: true, attachments: [attachment] });
    assert.deepEqual(
      alice.pending.map((p) => [p.mentions, p.urgent, p.attachments]),
      [[[bob.clientId, bob.clientId], true, [attachment]]],
      'a pending message keeps what it will send',
    );
    const ack = await withTimeout(sent, 'ack');
    const received = await bob.waitForText('the chart');
    assert.deepEqual([received.mentions, received.urgent, received.attachments], [[bob.clientId], true, [attachment]]);

    const conv = peopleKey([alice.clientId, bob.clientId]);
    const asked = waitForEvent<FileRequestIn>(alice as unknown as EventEmitter, 'file-request', () => true, 'alice to be asked for the chart');
    await withTimeout(bob.requestAttachment(conv, ack.id, attachment.id), 'the relay passing the request on');
    const request = await asked;
    assert.deepEqual(request, { t: 'file-request', from: bob.clientId, fromName: 'bob', conv, message: ack.id, attachment: attachment.id });

    const offered = new Promise<IncomingTransfer>((resolve) => bob.once('file-offer', resolve));
    const outgoing = await alice.sendFiles(request.from, [file], {
      attachment: { conv: request.conv, message: request.message, attachment: request.attachment },
    });
    const incoming = await withTimeout(offered, 'bob to be offered the chart');
    assert.deepEqual(incoming.attachment, { conv, message: ack.id, attachment: attachment.id }, 'the offer says which request it answers');
    await incoming.accept({ dir: path.join(dir, 'downloads') });
    const [got] = await withTimeout(incoming.done, 'the chart to arrive');
    await withTimeout(outgoing.done, 'alice to hear it arrived');
    assert.equal(got.sha256, sha256);
    assert.deepEqual(fs.readFileSync(got.path), bytes);

    // The relay's refusals reach the caller; a malformed request never leaves the client.
    await rejectsWithCode(bob.requestAttachment(conv, ack.id, 'no-such-attachment'), ErrorCode.NotFound, 'an attachment the message lacks');
    await rejectsWithCode(bob.requestAttachment(conv, ack.id, 'not an id!'), ErrorCode.BadMessage, 'a malformed attachment id');
    await alice.close();
    await bob.waitFor('peer-left', (left) => left.clientId === alice.clientId);
    await rejectsWithCode(bob.requestAttachment(conv, ack.id, attachment.id), ErrorCode.NoSuchPeer, 'the author gone');
  });

  it('refuses a message the relay would refuse before queueing it (an empty attachment list is left out)', async function () {
    const relay = await startRelay(cleanup);
    const alice = await connectClient(cleanup, relay.address().port, { name: 'alice' });
    await rejectsWithCode(alice.send('all', 'x', { mentions: ['everyone' as 'here'] }), ErrorCode.BadMessage, 'a mention that is no id');
    const ack = await withTimeout(alice.send('all', 'nothing attached', { attachments: [], mentions: [] }), 'ack');
    assert.ok(ack.seq > 0);
    assert.equal(alice.pending.length, 0);
  });
});
