import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { AttachmentChange, AttachmentExchange } from '../../../src/model/attachmentExchange';
import { imageInfo } from '../../../src/model/attachmentImages';
import { AttachmentStore } from '../../../src/model/attachmentStore';
import { conversationKeyFor } from '../../../src/model/conversationIds';
import type { Messenger } from '../../../src/model/messenger';
import { generateIdentity } from '../../../src/net/identity';
import { silentLogger } from '../../../src/net/logger';
import type { Attachment } from '../../../src/net/protocol/richMessages';
import { startRelay, tempDir, useCleanup, withTimeout } from '../helpers/loopback';
import { TestClientSource, testMessenger } from '../helpers/messengerSource';
import { makePng } from '../helpers/pngImage';
import { until } from '../helpers/security';

/**
 * Images between their author and a reader, over a real relay: the reader's fetch asks the
 * author through the relay, the author's exchange answers from its store with an offer naming the
 * attachment, and the reader takes it in only if it is the file the message names. What the
 * author's machine no longer has, an author who is offline, and an offer nobody asked for all
 * end in a clear refusal with nothing kept.
 */
describe('AttachmentExchange (loopback relay, two Messengers)', function () {
  const cleanup = useCleanup();

  interface Side {
    identity: ReturnType<typeof generateIdentity>;
    source: TestClientSource;
    model: Messenger;
    store: AttachmentStore;
    exchange: AttachmentExchange;
    changes: AttachmentChange[];
  }

  function side(name: string, answerMs?: number): Side {
    const identity = generateIdentity();
    const source = new TestClientSource(cleanup);
    const model = testMessenger(cleanup, source, { name });
    const store = new AttachmentStore(tempDir(cleanup));
    const exchange = new AttachmentExchange(
      source,
      {
        get selfId() {
          return model.selfId;
        },
        heldMessage: (c, m) => model.store.message(c, m),
        findMessage: (c, m) => Promise.resolve(model.store.message(c, m)),
      },
      store,
      silentLogger,
      answerMs,
    );
    cleanup.add(`${name}'s exchange`, () => exchange.dispose());
    const changes: AttachmentChange[] = [];
    exchange.onDidChange((c) => changes.push(c));
    return { identity, source, model, store, exchange, changes };
  }

  async function team(answerMs?: number) {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const alice = side('alice');
    const bob = side('bob', answerMs);
    await alice.source.connect(port, 'alice', alice.identity);
    await bob.source.connect(port, 'bob', bob.identity);
    return { port, alice, bob };
  }

  /** Alice keeps an image and sends it to bob; resolves with bob's copy of the message. */
  async function sendImage(alice: Side, bob: Side, seed: number) {
    const png = makePng(40 + seed, 30, seed);
    const kept = await alice.store.put(png, `shot-${seed}.png`);
    const info = imageInfo(png)!;
    const attachment: Attachment = {
      id: kept.sha256.slice(0, 16),
      kind: 'image',
      name: `shot-${seed}.png`,
      size: kept.size,
      mime: info.mime,
      sha256: kept.sha256,
      width: info.width,
      height: info.height,
    };
    assert.ok(alice.model.send(`peer:${bob.identity.clientId}`, '', undefined, { attachments: [attachment] }));
    const conversationId = `peer:${alice.identity.clientId}`;
    const message = await until(
      () => bob.model.store.get(conversationId)?.messages.find((m) => m.attachments?.[0]?.sha256 === kept.sha256),
      `bob to receive image ${seed}`,
    );
    return { png, attachment, kept, conversationId, message };
  }

  it('fetches an image from its author, checks it, keeps it, and opens it from the store next time', async () => {
    const { alice, bob } = await team();
    const { png, attachment, conversationId, message } = await sendImage(alice, bob, 1);
    assert.equal(await bob.store.get(attachment.sha256), undefined, 'nothing but the message has travelled yet');

    const file = await withTimeout(bob.exchange.fetch(conversationId, message.id, attachment.id), 'the fetch');
    assert.deepEqual(fs.readFileSync(file.path), png, 'the very bytes alice sent');
    assert.equal(file.sha256, attachment.sha256);
    assert.deepEqual(
      bob.changes.map((c) => [c.messageId, c.attachmentId, c.state]),
      [
        [message.id, attachment.id, 'fetching'],
        [message.id, attachment.id, 'ready'],
      ],
    );

    await alice.source.client!.close();
    const again = await bob.exchange.fetch(conversationId, message.id, attachment.id);
    assert.equal(again.path, file.path, "from bob's store, with alice gone");
  });

  it('refuses what arrives when it is not the file the message names, and keeps nothing', async () => {
    const { alice, bob } = await team();
    const { attachment, kept, conversationId, message } = await sendImage(alice, bob, 2);
    // Alice's copy changed on disk since (same size, other bytes): her answer is not the image in the message.
    const other = Buffer.from(fs.readFileSync(kept.path));
    other[other.length - 20] ^= 0xff;
    fs.writeFileSync(kept.path, other);

    await assert.rejects(withTimeout(bob.exchange.fetch(conversationId, message.id, attachment.id), 'the fetch'), /SHA-256 differs/);
    assert.equal(await bob.store.get(attachment.sha256), undefined);
    assert.equal(bob.changes.at(-1)?.state, 'failed');
    assert.match(bob.changes.at(-1)?.error ?? '', /from alice/);
  });

  it('says so when the author is offline, or no longer has the image', async () => {
    const { alice, bob } = await team(1500);
    const first = await sendImage(alice, bob, 3);
    const second = await sendImage(alice, bob, 4);
    fs.rmSync(second.kept.path);
    await assert.rejects(
      withTimeout(bob.exchange.fetch(second.conversationId, second.message.id, second.attachment.id), 'the fetch'),
      /alice did not send shot-4\.png: they may no longer have it/,
    );

    await alice.source.client!.close();
    await until(() => !bob.model.isOnline(alice.identity.clientId), 'alice to be gone');
    await assert.rejects(
      withTimeout(bob.exchange.fetch(first.conversationId, first.message.id, first.attachment.id), 'the fetch'),
      /alice is offline: shot-3\.png can be fetched when they are back/,
    );
    await assert.rejects(bob.exchange.fetch(first.conversationId, 'no-such-message', first.attachment.id), /not in the message/);
  });

  it('declines an attachment offer nobody asked for, and shows no file card for it', async () => {
    const { alice, bob } = await team();
    const { kept, conversationId, message, attachment } = await sendImage(alice, bob, 5);
    const offered: unknown[] = [];
    bob.model.onFileOffer((t) => offered.push(t));
    const transfer = await alice.source.client!.sendFiles(bob.identity.clientId, [kept.path], {
      attachment: { conv: conversationKeyFor(`peer:${bob.identity.clientId}`, alice.identity.clientId), message: message.id, attachment: attachment.id },
    });
    await assert.rejects(withTimeout(transfer.done, 'the unasked offer to end'), /not asked for/);
    assert.deepEqual(offered, [], 'the Messenger does not treat it as an ordinary offer');
    assert.equal(await bob.store.get(attachment.sha256), undefined);
    assert.equal(conversationId, `peer:${alice.identity.clientId}`);
  });
});
