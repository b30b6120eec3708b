// What people tell each other without storing it — typing, peer pings, a request for an image —
// reaches those on the other relays of a cluster, and an image's author there answers with an
// offer that crosses back through the transfer bridge.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conversationKeyFor } from '../../src/model/conversationIds';
import type { Attachment } from '../../src/net/protocol/richMessages';
import type { IncomingTransfer } from '../../src/net/transfer/incomingTransfer';
import { useCleanup, withTimeout } from '../unit/helpers/loopback';
import { connectKnownEverywhere, useTwoClusterRelays } from './relayClusterFixture';

describe('signals across relays (real nats-server)', function () {
  this.timeout(60_000);
  const cleanup = useCleanup();
  const relays = useTwoClusterRelays(cleanup);

  it('carries typing in a direct message and in #general, and a peer ping and its answer', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    const [aliceId, bobId] = [alice.self!.clientId, bob.self!.clientId];

    alice.sendTyping([bobId]);
    const direct = await bob.waitFor('typing', (t) => Array.isArray(t.to), 'bob to see alice typing to him');
    assert.deepEqual([direct.from, direct.fromName], [aliceId, 'alice']);
    bob.sendTyping('all');
    const general = await alice.waitFor('typing', (t) => t.to === 'all', 'alice to see bob typing in #general');
    assert.equal(general.from, bobId);

    const rtt = await withTimeout(alice.pingPeer(bobId), 'bob’s answer to alice’s ping');
    assert.ok(rtt >= 0);
  });

  it('passes a request for an image to its author on the other relay, whose offer crosses back', async () => {
    const alice = await connectKnownEverywhere(cleanup, relays.a, [relays.b], { name: 'alice' });
    const bob = await connectKnownEverywhere(cleanup, relays.b, [relays.a], { name: 'bob' });
    const [aliceId, bobId] = [alice.self!.clientId, bob.self!.clientId];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-signals-'));
    cleanup.add('temp dir', () => fs.rmSync(dir, { recursive: true, force: true }));
    const image = crypto.randomBytes(300_000);
    const file = path.join(dir, 'diagram.png');
    fs.writeFileSync(file, image);
    const sha256 = crypto.createHash('sha256').update(image).digest('hex');
    const attachment: Attachment = { id: 'img1', kind: 'image', name: 'diagram.png', size: image.length, mime: 'image/png', sha256, width: 10, height: 10 };
    // Bob answers a request as his extension does: an offer naming the attachment.
    bob.on('file-request', (request) => {
      void bob.sendFiles(request.from, [file], { attachment: { conv: request.conv, message: request.message, attachment: request.attachment } });
    });
    await bob.send([aliceId], 'the diagram', { attachments: [attachment] });
    const got = await alice.waitForText('the diagram');

    const offered = new Promise<IncomingTransfer>((resolve) => alice.once('file-offer', resolve));
    await withTimeout(alice.requestAttachment(conversationKeyFor(`peer:${bobId}`, aliceId), got.id, 'img1'), 'the relay to pass the request on');
    const incoming = await withTimeout(offered, 'bob’s offer at alice');
    assert.equal(incoming.from, bobId);
    await incoming.accept({ dir: path.join(dir, 'in') });
    const [received] = await withTimeout(incoming.done, 'the image at alice');
    assert.equal(received!.sha256, sha256);
  });
});
