import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConversationStore } from '../../../src/model/conversationStore';
import { FileCards, FileCardsSource } from '../../../src/model/fileCards';
import { FileCardsPersistence } from '../../../src/model/fileCardsPersistence';
import type { FileCard } from '../../../src/model/fileCardTypes';
import { Emitter } from '../../../src/model/lifecycle';
import type { TeamClient } from '../../../src/net/client/teamClient';
import { silentLogger } from '../../../src/net/logger';
import type { IncomingTransfer } from '../../../src/net/transfer/incomingTransfer';
import { connectClient, startRelay, tempDir, useCleanup } from '../helpers/loopback';
import { MemoryState } from '../helpers/savedState';
import { LogCapture, until } from '../helpers/security';

/** What the cards see of a person's Messenger: that person's client, in plain Node. */
function sourceFor(client: TeamClient): FileCardsSource & { store: ConversationStore } {
  const offers = new Emitter<IncomingTransfer>();
  client.on('file-offer', (transfer) => offers.fire(transfer));
  return {
    onFileOffer: offers.event,
    get connectionState() {
      return client.state;
    },
    store: new ConversationStore({ selfId: client.clientId }),
  };
}

describe('FileCards (file transfers as cards in the conversation, over a loopback relay)', function () {
  this.timeout(20_000);
  const cleanup = useCleanup();

  /** alice and bob online, each with cards; alice's downloads go to `downloads`. */
  async function team(options: { maxFileBytes?: number; state?: MemoryState } = {}) {
    const relay = await startRelay(cleanup);
    const port = relay.address().port;
    const alice = await connectClient(cleanup, port, { name: 'alice' });
    const bob = await connectClient(cleanup, port, { name: 'bob' });
    await until(
      () => [...alice.peers.values()].some((p) => p.clientId === bob.clientId) && [...bob.peers.values()].some((p) => p.clientId === alice.clientId),
      'both online',
    );
    const downloads = tempDir(cleanup, 'tm-cards-dl-');
    const outbox = tempDir(cleanup, 'tm-cards-src-');
    const aliceSource = sourceFor(alice);
    const { state, ...limits } = options;
    const aliceCards = new FileCards(aliceSource, () => ({ dir: downloads, ...limits }), state && new FileCardsPersistence(state, silentLogger));
    const bobCards = new FileCards(sourceFor(bob), () => ({ dir: tempDir(cleanup, 'tm-cards-bob-') }));
    cleanup.add('cards', () => {
      aliceCards.dispose();
      bobCards.dispose();
    });
    /** bob offers `files` (name → content) to alice, or the folder `folder` they are in; resolves with both cards. */
    const offer = async (files: Record<string, string>, folder?: string) => {
      const paths = Object.entries(files).map(([name, content]) => {
        const file = path.join(outbox, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
        return file;
      });
      const transfer = await bob.sendFiles(alice.clientId, folder ? [path.join(outbox, folder)] : paths);
      const sent = bobCards.trackOutgoing(transfer, alice.clientId, 'alice');
      const offered = await until(() => aliceCards.cardsOf(`peer:${bob.clientId}`).find((c) => c.state === 'offered'), 'the offer card');
      return { sent, offered, transfer };
    };
    const settled = (cards: FileCards, id: string, state: FileCard['state']) =>
      until(() => (cards.get(id)?.state === state ? cards.get(id) : undefined), `card ${id} ${state} (now ${cards.get(id)?.state})`);
    return { alice, bob, aliceCards, bobCards, aliceSource, downloads, offer, settled };
  }

  it('an offer is a card in the conversation with the sender: accepted, it says where the file was saved', async () => {
    const { bob, aliceCards, bobCards, aliceSource, downloads, offer, settled } = await team();
    const { sent, offered } = await offer({ 'notes.txt': 'hello alice\n' });
    assert.equal(offered.conversationId, `peer:${bob.clientId}`);
    assert.equal(offered.title, 'bob offers notes.txt (12 B)');
    assert.equal(offered.status, 'Waiting for your answer.');
    assert.ok(aliceSource.store.has(`peer:${bob.clientId}`), 'the conversation is listed even before anyone wrote in it');
    assert.equal(sent.title, 'You offer notes.txt (12 B) to alice');

    await aliceCards.accept(offered.id);
    const done = await settled(aliceCards, offered.id, 'done');
    const saved = path.join(downloads, 'notes.txt');
    assert.deepEqual(done.saved, [{ name: 'notes.txt', path: saved, folder: false }]);
    assert.equal(done.status, `Saved to ${saved}`);
    assert.equal(done.tone, 'success');
    assert.equal(fs.readFileSync(saved, 'utf8'), 'hello alice\n');
    const delivered = await settled(bobCards, sent.id, 'done');
    assert.equal(delivered.status, 'Delivered; checksums verified.');
  });

  it('a duplicate is saved under a new name, and the card names it', async () => {
    const { aliceCards, downloads, offer, settled } = await team();
    fs.writeFileSync(path.join(downloads, 'notes.txt'), 'already here');
    const { offered } = await offer({ 'notes.txt': 'the new one' });
    await aliceCards.accept(offered.id);
    const done = await settled(aliceCards, offered.id, 'done');
    const renamed = path.join(downloads, 'notes (1).txt');
    assert.deepEqual(done.saved, [
      { name: 'notes (1).txt', path: renamed, folder: false, offeredName: 'notes.txt', note: 'saved as notes (1).txt: notes.txt already exists' },
    ]);
    assert.equal(done.status, `Saved to ${renamed}`);
    assert.equal(fs.readFileSync(path.join(downloads, 'notes.txt'), 'utf8'), 'already here', 'nothing overwritten');
  });

  it('a folder is one place (never its first file); a second copy is named too', async () => {
    const { aliceCards, downloads, offer, settled } = await team();
    const first = await offer({ 'docs/a.md': 'a', 'docs/sub/b.md': 'b' }, 'docs');
    assert.equal(first.offered.title, 'bob offers folder docs (2 files) (2 B)');
    await aliceCards.accept(first.offered.id);
    assert.deepEqual((await settled(aliceCards, first.offered.id, 'done')).saved, [{ name: 'docs', path: path.join(downloads, 'docs'), folder: true }]);
    const second = await offer({ 'docs/a.md': 'a2', 'docs/sub/b.md': 'b2' }, 'docs');
    await aliceCards.accept(second.offered.id);
    const done = await settled(aliceCards, second.offered.id, 'done');
    assert.deepEqual(done.saved, [
      { name: 'docs (1)', path: path.join(downloads, 'docs (1)'), folder: true, offeredName: 'docs', note: 'saved as docs (1): docs already exists' },
    ]);
    assert.equal(done.status, `Saved to ${path.join(downloads, 'docs (1)')}`);
  });

  it('a decline reads as an outcome on both sides, not as an error', async () => {
    const { aliceCards, bobCards, offer, settled } = await team();
    const { sent, offered } = await offer({ 'big.iso': 'x'.repeat(100) });
    aliceCards.decline(offered.id);
    const mine = await settled(aliceCards, offered.id, 'declined');
    assert.equal(mine.status, 'You declined.');
    assert.equal(mine.tone, 'neutral');
    assert.equal(mine.endedBy, 'you');
    const theirs = await settled(bobCards, sent.id, 'declined');
    assert.equal(theirs.status, 'alice declined.');
    assert.equal(theirs.tone, 'neutral');
    assert.doesNotMatch(theirs.status, /fail|error/i);
  });

  it('the sender cancelling an open offer: "bob cancelled", for alice; "You cancelled", for bob', async () => {
    const { aliceCards, bobCards, offer, settled } = await team();
    const { sent, offered } = await offer({ 'draft.txt': 'never mind' });
    bobCards.cancel(sent.id);
    const theirs = await settled(bobCards, sent.id, 'cancelled');
    assert.equal(theirs.status, 'You cancelled.');
    const mine = await settled(aliceCards, offered.id, 'cancelled');
    assert.equal(mine.endedBy, 'peer');
    assert.equal(mine.status, 'bob cancelled.');
    assert.equal(mine.tone, 'neutral');
  });

  it('a failure is an error with its reason (a file over the size limit)', async () => {
    const { aliceCards, offer, settled } = await team({ maxFileBytes: 10 });
    const { offered } = await offer({ 'large.bin': 'x'.repeat(50) });
    await aliceCards.accept(offered.id);
    const failed = await settled(aliceCards, offered.id, 'failed');
    assert.equal(failed.tone, 'error');
    assert.match(failed.status, /^Failed: large\.bin is 50 bytes; the limit is 10$/);
  });

  it('answers only what is still open: a second accept or decline does nothing', async () => {
    const { aliceCards, offer, settled } = await team();
    const { offered } = await offer({ 'once.txt': 'once' });
    await aliceCards.accept(offered.id);
    await settled(aliceCards, offered.id, 'done');
    aliceCards.decline(offered.id);
    aliceCards.cancel(offered.id);
    await aliceCards.accept(offered.id);
    assert.equal(aliceCards.get(offered.id)?.state, 'done');
    assert.equal(aliceCards.get('no-such-card'), undefined);
    await aliceCards.accept('no-such-card');
  });

  it('each card names the message that records its offer, on both sides and after a restart', async () => {
    const state = new MemoryState();
    const { alice, bob, aliceCards, bobCards, downloads, offer, settled } = await team({ state });
    const records: string[] = [];
    alice.on('message', (m) => {
      if (m.files?.length) records.push(m.id);
    });
    const { sent, offered } = await offer({ 'recorded.txt': 'on the record' });
    assert.ok(offered.messageId, 'the incoming card names the record');
    const waiting = await until(() => bobCards.get(sent.id)?.messageId, "the sender's card to name the record");
    assert.equal(waiting, offered.messageId);
    await until(() => records.includes(offered.messageId!), 'the record to reach alice');
    assert.ok(aliceCards.recordsMessage(`peer:${bob.clientId}`, offered.messageId!));
    assert.ok(bobCards.recordsMessage(`peer:${alice.clientId}`, offered.messageId!));
    assert.ok(!aliceCards.recordsMessage(`peer:${bob.clientId}`, 'some-other-message'));
    assert.ok(!aliceCards.recordsMessage(`peer:${alice.clientId}`, offered.messageId!), 'only in its own conversation');

    aliceCards.decline(offered.id);
    await settled(aliceCards, offered.id, 'declined');
    const restarted = new FileCards(sourceFor(alice), () => ({ dir: downloads }), new FileCardsPersistence(state, silentLogger));
    cleanup.add('restarted cards', () => restarted.dispose());
    assert.deepEqual(
      restarted.cardsOf(`peer:${bob.clientId}`).map((c) => c.messageId),
      [offered.messageId],
    );
    assert.ok(restarted.recordsMessage(`peer:${bob.clientId}`, offered.messageId!));
  });

  it('keeps finished cards for the identity across a restart (outcomes only, no buttons), never for another', async () => {
    const state = new MemoryState();
    const { alice, bob, aliceCards, aliceSource, downloads, offer, settled } = await team({ state });
    const { offered } = await offer({ 'kept.txt': 'kept' });
    await aliceCards.accept(offered.id);
    const done = await settled(aliceCards, offered.id, 'done');
    const declined = await offer({ 'no.txt': 'no' });
    aliceCards.decline(declined.offered.id);
    await settled(aliceCards, declined.offered.id, 'declined');
    const open = await offer({ 'open.txt': 'still open' });

    const restarted = new FileCards(sourceFor(alice), () => ({ dir: downloads }), new FileCardsPersistence(state, silentLogger));
    cleanup.add('restarted cards', () => restarted.dispose());
    const cards = restarted.cardsOf(`peer:${bob.clientId}`);
    assert.deepEqual(
      cards.map((c) => [c.title, c.state, c.status]),
      [
        ['bob offers kept.txt (4 B)', 'done', `Saved to ${path.join(downloads, 'kept.txt')}`],
        ['bob offers no.txt (2 B)', 'declined', 'You declined.'],
      ],
      'the open offer is not kept: it does not outlive its connection',
    );
    assert.deepEqual(cards[0].saved, done.saved);
    assert.ok(open.offered);
    // The restored card has no transfer behind it: answering it does nothing.
    restarted.decline(cards[0].id);
    await restarted.accept(cards[1].id);
    assert.deepEqual(
      restarted.cardsOf(`peer:${bob.clientId}`).map((c) => c.state),
      ['done', 'declined'],
    );
    // Another identity on this machine sees none of them.
    const other = new FileCards(
      { ...aliceSource, store: new ConversationStore({ selfId: 'Z'.repeat(22) }) },
      () => ({ dir: downloads }),
      new FileCardsPersistence(state, silentLogger),
    );
    cleanup.add('other cards', () => other.dispose());
    assert.deepEqual(other.cardsOf(`peer:${bob.clientId}`), []);
  });

  it('reads saved cards one by one: a damaged card is dropped, a damaged list cleared and said once', () => {
    const selfId = 'A'.repeat(22);
    const bobId = 'B'.repeat(22);
    const source = { onFileOffer: new Emitter<IncomingTransfer>().event, connectionState: 'idle' as const, store: new ConversationStore({ selfId }) };
    const good = {
      direction: 'in',
      conversationId: `peer:${bobId}`,
      peerName: 'bob',
      ts: 1,
      what: 'a.txt',
      size: '1 B',
      state: 'declined',
      total: 1,
      endedBy: 'you',
    };
    const state = new MemoryState();
    state.values.set(`teamMessenger.fileCards.${selfId}`, [good, { ...good, conversationId: '../../etc' }, { ...good, state: 'moving' }, 42]);
    const cards = new FileCards(source, () => ({ dir: '/tmp' }), new FileCardsPersistence(state, silentLogger));
    assert.deepEqual(
      cards.cardsOf(`peer:${bobId}`).map((c) => c.status),
      ['You declined.'],
    );
    cards.dispose();

    const log = new LogCapture();
    state.values.set(`teamMessenger.fileCards.${selfId}`, 'garbage');
    const again = new FileCards(source, () => ({ dir: '/tmp' }), new FileCardsPersistence(state, log));
    assert.deepEqual(again.cardsOf(`peer:${bobId}`), []);
    assert.equal(state.values.has(`teamMessenger.fileCards.${selfId}`), false, 'cleared');
    assert.equal(log.entries.filter((e) => e.level === 'warn').length, 1);
    again.dispose();
  });
});
