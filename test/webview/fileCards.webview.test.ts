import * as assert from 'assert';
import type { FileCard, MessageView } from '../../src/views/chatProtocol';
import { ChatPage, useChatPage } from './chatPage';
import { BOB_MESSAGES, HOSTILE, MIN, NOON, bobView, init, peerMessage } from './fixtures';
import { DARK, HIGH_CONTRAST, LIGHT } from './themes';

/**
 * File cards among the messages, and the composer while messages cannot go out at once: in a
 * real Chromium with the real document and script, as chat.webview.test.ts.
 */

function card(id: string, extra: Partial<FileCard> = {}): FileCard {
  return {
    id,
    direction: 'in',
    conversationId: 'peer:bob',
    peerName: 'bob',
    ts: NOON - 30 * MIN,
    what: 'notes.txt',
    size: '12 KB',
    state: 'offered',
    bytes: 0,
    total: 12_288,
    title: 'bob offers notes.txt (12 KB)',
    status: 'Waiting for your answer.',
    tone: 'neutral',
    ...extra,
  };
}

const SAVED = card('c-saved', {
  ts: NOON - 20 * MIN,
  state: 'done',
  bytes: 12_288,
  status: 'Saved to /home/alice/Downloads/Team Messenger/notes (1).txt',
  tone: 'success',
  saved: [
    {
      name: 'notes (1).txt',
      path: '/home/alice/Downloads/Team Messenger/notes (1).txt',
      folder: false,
      offeredName: 'notes.txt',
      note: 'saved as notes (1).txt: notes.txt already exists',
    },
  ],
});

describe('chat webview: file cards and the offline composer (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const cards = () => page().locator('#log .file-card');
  const input = () => page().locator('#composer-input');

  it('shows cards among the messages by time, with Accept / Decline while an offer is open', async () => {
    await chat.send(init({ selected: bobView({ cards: [card('c-offer'), SAVED] }) }));
    await cards().first().waitFor();
    // Between bob's 11:48 message and the one at 11:50 / after: in time order with the messages.
    const order = await page()
      .locator('#log .message, #log .file-card')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-card-id') ?? el.getAttribute('data-message-id')));
    assert.deepStrictEqual(order, ['m1', 'm2', 'c-offer', 'c-saved', 'm3', 'm4', 'm5', 'm6', 'm7', 'local:r8', 'local:r9']);
    assert.strictEqual(await page().locator('.message').count(), BOB_MESSAGES.length);

    const offer = cards().first();
    assert.strictEqual(await offer.getAttribute('role'), 'group');
    assert.strictEqual(await offer.getAttribute('aria-label'), 'bob offers notes.txt (12 KB). Waiting for your answer.');
    assert.strictEqual(await offer.locator('.file-card-title').textContent(), 'bob offers notes.txt (12 KB)');
    assert.deepStrictEqual(await offer.locator('button').allTextContents(), ['Accept', 'Decline']);
    assert.deepStrictEqual(await offer.locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), [
      'Accept notes.txt from bob',
      'Decline notes.txt from bob',
    ]);

    // Keyboard: Tab reaches Accept and Decline; Enter and Space press them.
    await chat.clearPosted();
    await offer.locator('button', { hasText: 'Accept' }).focus();
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'file-action'), { type: 'file-action', cardId: 'c-offer', action: 'accept' });
    await chat.clearPosted();
    await page().keyboard.press('Tab');
    assert.strictEqual(await page().locator(':focus').textContent(), 'Decline');
    await page().keyboard.press('Space');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'file-action'), { type: 'file-action', cardId: 'c-offer', action: 'decline' });

    // The saved card: where it went, the new name said, Open and Reveal for that place.
    const saved = cards().nth(1);
    assert.strictEqual(await saved.locator('.file-card-status-text').textContent(), 'Saved to /home/alice/Downloads/Team Messenger/notes (1).txt');
    assert.strictEqual(await saved.locator('.place-name').textContent(), 'notes (1).txt');
    assert.strictEqual(await saved.locator('.place-note').textContent(), 'saved as notes (1).txt: notes.txt already exists');
    assert.deepStrictEqual(await saved.locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), [
      'Open file notes (1).txt',
      'Reveal file notes (1).txt',
    ]);
    await chat.clearPosted();
    await saved.locator('button', { hasText: 'Reveal' }).click();
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'file-action'), {
      type: 'file-action',
      cardId: 'c-saved',
      action: 'reveal',
      place: 0,
    });
    for (const button of await page().locator('#log button').all()) {
      assert.ok(await button.getAttribute('aria-label'), `button without aria-label: ${await button.evaluate((b) => b.outerHTML)}`);
    }
  });

  it('updates a card in place: progress keeps the focus on Cancel, the outcome replaces the buttons', async () => {
    await chat.send(init({ selected: bobView({ cards: [card('c1', { ts: NOON + MIN })] }) }));
    await cards().first().waitFor();
    const moving = (bytes: number) => card('c1', { ts: NOON + MIN, state: 'moving', bytes, status: `Receiving… ${Math.floor((100 * bytes) / 12_288)}%` });
    await chat.send({ type: 'file-card', card: moving(1024) });
    const cancel = cards().first().locator('button', { hasText: 'Cancel' });
    await cancel.focus();
    await chat.send({ type: 'file-card', card: moving(6144) });
    await page().locator('.file-card-status-text', { hasText: 'Receiving… 50%' }).waitFor();
    assert.strictEqual(await cards().first().locator('progress').getAttribute('value'), '50');
    assert.strictEqual(await page().locator(':focus').textContent(), 'Cancel', 'the focus stayed on Cancel');
    assert.strictEqual(await cards().first().locator('.file-card-status').getAttribute('aria-live'), 'off', 'progress is not read out each time');
    assert.strictEqual(await cards().count(), 1);

    // The sender cancelled: an outcome in plain words, not an error; no buttons left.
    await chat.send({ type: 'file-card', card: card('c1', { ts: NOON + MIN, state: 'cancelled', endedBy: 'peer', status: 'bob cancelled.' }) });
    await page().locator('.file-card-status-text', { hasText: 'bob cancelled.' }).waitFor();
    assert.ok(
      await cards()
        .first()
        .evaluate((el) => el.classList.contains('tone-neutral')),
    );
    assert.strictEqual(await cards().first().locator('.codicon-error').count(), 0);
    assert.strictEqual(await cards().first().locator('button').count(), 0);

    // A new card arrives at the end; a card for another conversation is not shown here.
    await chat.send({
      type: 'file-card',
      card: card('c2', {
        ts: NOON + 2 * MIN,
        direction: 'out',
        title: 'You offer a.bin (1 MB) to bob',
        state: 'waiting',
        status: 'Waiting for bob to accept…',
      }),
    });
    await chat.send({ type: 'file-card', card: card('c3', { conversationId: 'peer:carol', ts: NOON + 3 * MIN }) });
    await cards().nth(1).waitFor();
    await page().waitForTimeout(100);
    assert.strictEqual(await cards().count(), 2);
    assert.deepStrictEqual(
      await cards()
        .nth(1)
        .locator('button')
        .evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))),
      ['Cancel notes.txt to bob'],
    );
  });

  it('a jump to the message that records an offer highlights its card (the chat shows the card in its place)', async () => {
    const offered = card('c-record', { messageId: 'rec-1' });
    await chat.send(init({ selected: bobView({ cards: [offered], focusId: 'rec-1' }) }));
    const shown = cards().filter({ hasText: 'bob offers notes.txt' });
    await shown.locator('xpath=self::*[contains(@class, "highlight")]').waitFor();
    assert.strictEqual(await page().locator('#log .message.highlight').count(), 0, 'no message row stands in for the card');
  });

  it('shows a failure as an error with its reason', async () => {
    const failed = card('c1', { state: 'failed', tone: 'error', reason: 'not enough disk space', status: 'Failed: not enough disk space' });
    await chat.send(init({ selected: bobView({ cards: [failed] }) }));
    await cards().first().waitFor();
    assert.ok(
      await cards()
        .first()
        .evaluate((el) => el.classList.contains('tone-error')),
    );
    assert.strictEqual(await cards().first().locator('.file-card-status .codicon-error').count(), 1);
    assert.strictEqual(await cards().first().locator('.file-card-status-text').textContent(), 'Failed: not enough disk space');
  });

  it('folds an offer’s record that came before its card into the card (a cluster’s stream may be quicker than the offer)', async () => {
    await chat.send(init({ selected: bobView() }));
    await page().locator('#log .message').first().waitFor();
    const record: MessageView = { ...peerMessage('rec-1', '', NOON + MIN), files: [{ name: 'notes.txt', size: '12 KB' }] };
    await chat.send({ type: 'message', conversationId: 'peer:bob', message: record });
    await page().locator('#log .message[data-message-id="rec-1"]').waitFor();
    await chat.send({ type: 'file-card', card: card('c-late', { ts: NOON + MIN, messageId: 'rec-1' }) });
    await cards().first().waitFor();
    assert.strictEqual(await page().locator('#log .message[data-message-id="rec-1"]').count(), 0, 'the record is shown as the card, not a second time');
    assert.strictEqual(await cards().count(), 1);
    assert.strictEqual(await page().locator('.message').count(), BOB_MESSAGES.length);
  });

  it('renders hostile names and reasons from a peer as text, running nothing', async () => {
    const hostile = card('c-x', {
      peerName: HOSTILE.img,
      what: HOSTILE.script,
      title: `${HOSTILE.img} offers ${HOSTILE.script} (1 KB)`,
      state: 'done',
      status: `Saved to /tmp/${HOSTILE.css}`,
      tone: 'success',
      saved: [
        {
          name: HOSTILE.js,
          path: `/tmp/${HOSTILE.css}`,
          folder: true,
          offeredName: HOSTILE.img,
          note: `saved as ${HOSTILE.js}: ${HOSTILE.img} is not a valid name here`,
        },
      ],
    });
    const declined = card('c-y', {
      peerName: HOSTILE.css,
      state: 'declined',
      title: HOSTILE.img,
      status: `${HOSTILE.css} declined: ${HOSTILE.script}`,
      reason: HOSTILE.script,
    });
    await chat.send(init({ selected: bobView({ messages: [], cards: [hostile, declined] }) }));
    await cards().nth(1).waitFor();
    assert.strictEqual(await cards().first().locator('.file-card-title').textContent(), `${HOSTILE.img} offers ${HOSTILE.script} (1 KB)`);
    assert.strictEqual(await cards().first().locator('.place-name').textContent(), HOSTILE.js);
    assert.strictEqual(await cards().nth(1).locator('.file-card-status-text').textContent(), `${HOSTILE.css} declined: ${HOSTILE.script}`);
    assert.match((await cards().first().locator('button').first().getAttribute('aria-label'))!, /^Open folder javascript:alert\(1\)$/);
    await page().waitForTimeout(300);
    assert.strictEqual(await chat.pwned(), undefined);
    assert.strictEqual(await page().locator('img').count(), 0);
    assert.strictEqual(await page().locator('script').count(), 1);
    assert.strictEqual(await page().locator('style').count(), 0);
    assert.strictEqual(await page().locator('a').count(), 0);
  });

  it('offline: the message is still sent (the extension queues it); the note says so', async () => {
    await chat.send(init({ composer: { mode: 'queue', note: 'Offline: messages you send wait here and go out when the connection is back.' } }));
    const note = page().locator('#composer-note');
    await note.waitFor();
    assert.match((await note.textContent())!, /Offline: messages you send wait here/);
    assert.ok(await page().locator('#composer-connect').isHidden());
    await input().click();
    await chat.clearPosted();
    await page().keyboard.type('sent when back');
    await page().keyboard.press('Enter');
    assert.deepStrictEqual(await chat.waitForPosted((m) => m.type === 'send'), { type: 'send', conversationId: 'peer:bob', text: 'sent when back' });
    assert.strictEqual(await input().inputValue(), '');
    await chat.send({ type: 'composer', composer: { mode: 'send', note: '' } });
    await note.waitFor({ state: 'hidden' });
  });

  it('blocked (no connection yet): Enter keeps the text, the note says why, Connect… asks the extension', async () => {
    const blocked = { mode: 'blocked' as const, note: 'Not connected to a relay, so nothing can be sent yet. What you type stays here.' };
    await chat.send(init({ composer: blocked }));
    await page().locator('#composer-note').waitFor();
    await input().click();
    await chat.clearPosted();
    await page().keyboard.type('do not lose me');
    await page().keyboard.press('Enter');
    await page().waitForTimeout(150);
    assert.strictEqual(await input().inputValue(), 'do not lose me', 'the text stays');
    assert.deepStrictEqual(
      (await chat.posted()).filter((m) => m.type === 'send'),
      [],
    );
    assert.ok(await page().locator('#send').isDisabled());
    assert.ok(await page().locator('#composer-note.attention').isVisible());
    assert.strictEqual(await page().locator('#composer-note').getAttribute('role'), 'status');
    await chat.setTheme(DARK);
    await chat.screenshot('composer-blocked');

    await page().keyboard.press('Shift+Tab');
    await page().locator('#composer-connect').focus();
    await page().keyboard.press('Enter');
    await chat.waitForPosted((m) => m.type === 'connect');

    // A send that raced the change comes back into the box, before what was typed since.
    await chat.send({ type: 'composer', composer: { mode: 'send', note: '' } });
    await input().fill('');
    await chat.send({ type: 'unsent', conversationId: 'peer:bob', text: 'came back' });
    // A function, not a string: a string would be evaluated in the page, which its CSP refuses (no 'unsafe-eval').
    await input().evaluate(
      (el) =>
        new Promise<void>((resolve) => {
          const check = () => ((el as unknown as { value: string }).value === 'came back' ? resolve() : setTimeout(check, 20));
          check();
        }),
    );
    // Kept as the draft too (a reload of the page keeps it).
    assert.deepStrictEqual(((await chat.state()) as { drafts: unknown }).drafts, [['peer:bob', 'came back']]);
  });

  describe('screenshots (test/webview/artifacts/)', () => {
    for (const theme of [DARK, LIGHT, HIGH_CONTRAST]) {
      it(`cards in a ${theme.name} theme`, async () => {
        const outgoing = card('c-out', {
          direction: 'out',
          ts: NOON - 25 * MIN,
          title: 'You offer folder design (14 files) (3.2 MB) to bob',
          state: 'moving',
          bytes: 2_000_000,
          total: 3_355_443,
          status: 'Sending… 59% · 1.2 MB/s · 2 s left',
        });
        const declined = card('c-dec', {
          ts: NOON - 15 * MIN,
          what: 'huge.iso',
          title: 'bob offers huge.iso (4.1 GB)',
          state: 'declined',
          endedBy: 'you',
          status: 'You declined.',
        });
        const offer = card('c-offer', { ts: NOON - 9 * MIN });
        await chat.send(
          init({
            selected: bobView({ cards: [outgoing, SAVED, declined, offer] }),
            composer: { mode: 'queue', note: 'Offline: messages you send wait here and go out when the connection is back.' },
          }),
        );
        await chat.setTheme(theme);
        await cards().nth(3).waitFor();
        await page()
          .locator('#messages')
          .evaluate((el) => el.scrollTo(0, 120));
        await chat.screenshot(`cards-${theme.name}`);
      });
    }
  });
});
