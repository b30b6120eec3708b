import * as assert from 'assert';
import type { AttachmentView, FromWebview, MessageView } from '../../src/views/chatProtocol';
import { imageInfo } from '../../src/model/attachmentImages';
import { makePng } from '../unit/helpers/pngImage';
import { ChatPage, useChatPage } from './chatPage';
import { BOB_MESSAGES, CHANNELS, DEPLOYS_REPLIES, HOSTILE, MIN, NOON, bobView, deploysView, init, peerMessage } from './fixtures';

/**
 * Images and files in the chat, in a real Chromium with the real page: a real PNG pasted or
 * dropped into the composer gets a thumbnail made on a canvas and goes to the extension; other
 * dropped files are offered; staged images wait in a tray and go with the message; a message's
 * image shows its thumbnail and opens on click; a peer's hostile thumbnail or name stays inert;
 * drafts come back on a fresh page.
 */

/** The page's globals these tests use (the root tsconfig has no DOM types). */
interface PageDocument {
  querySelector(selector: string): unknown;
}
declare const document: PageDocument;
declare class DataTransfer {
  items: { add(file: unknown): void };
  setData(type: string, value: string): void;
}
declare class File {
  constructor(parts: unknown[], name: string, options: { type: string });
}
declare class ClipboardEvent {
  constructor(type: string, init: { clipboardData: DataTransfer; bubbles: boolean; cancelable: boolean });
}
declare class DragEvent {
  constructor(type: string, init: { dataTransfer: DataTransfer; bubbles: boolean; cancelable: boolean });
}
declare function atob(data: string): string;

type Posted<T extends FromWebview['type']> = Extract<FromWebview, { type: T }>;

interface Dropped {
  name: string;
  type: string;
  base64: string;
}

/** Pastes files into a box (the composer's unless told) as the browser would (a paste event carrying them). */
async function paste(chat: ChatPage, files: Dropped[], box = '#composer-input'): Promise<void> {
  await chat.page.evaluate(
    ({ list, selector }) => {
      const data = new DataTransfer();
      for (const f of list) data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      const input = document.querySelector(selector) as { dispatchEvent(e: unknown): boolean };
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    { list: files, selector: box },
  );
}

/** Drags files (and/or a URI list) over the conversation and drops them. */
async function drop(chat: ChatPage, files: Dropped[], uriList?: string): Promise<void> {
  await chat.page.evaluate(
    ({ list, uris }) => {
      const data = new DataTransfer();
      for (const f of list) data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      if (uris !== undefined) data.setData('text/uri-list', uris);
      const target = document.querySelector('#messages') as { dispatchEvent(e: unknown): boolean };
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { list: files, uris: uriList },
  );
}

const png = (width: number, height: number, seed = 1, noisy = false): Dropped => ({
  name: 'screenshot.png',
  type: 'image/png',
  base64: makePng(width, height, seed, noisy).toString('base64'),
});

function imageMessage(id: string, attachment: Partial<AttachmentView> = {}): MessageView {
  const thumb = `data:image/png;base64,${makePng(160, 100, 7).toString('base64')}`;
  return {
    ...peerMessage(id, '', NOON - 5 * MIN),
    attachments: [{ id: 'att1', kind: 'image', name: 'diagram.png', size: '1.2 MB', mime: 'image/png', width: 1600, height: 1000, thumb, ...attachment }],
  };
}

describe('chat webview: images and files (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));

  const page = () => chat.page;
  const tray = () => page().locator('#conversation .composer-attachments');
  const sendButton = () => page().locator('#send');

  it('pastes a real PNG: a canvas thumbnail and the bytes go to the extension; staged, it goes with the message', async () => {
    await chat.send(init());
    await page().locator('#composer-input').waitFor();
    const image = png(1000, 500, 3);
    await paste(chat, [image]);
    const attach = (await chat.waitForPosted((m) => m.type === 'attach-image', 'attach-image')) as Posted<'attach-image'>;
    assert.equal(attach.conversationId, 'peer:bob');
    assert.equal(attach.name, 'screenshot.png');
    assert.equal(attach.data, image.base64, 'the whole image, byte for byte');
    assert.deepEqual([attach.width, attach.height], [1000, 500]);
    const thumb = imageInfo(Buffer.from(attach.thumb, 'base64'));
    assert.ok(thumb, 'the thumbnail is a real image');
    assert.equal(thumb.mime, attach.thumbMime);
    assert.deepEqual([thumb.width, thumb.height], [320, 160], 'at most 320 a side, proportions kept');
    assert.ok(attach.thumb.length <= 32_768);

    // Waiting in the tray; Send stays off until the extension has kept it (nothing typed).
    await tray().locator('.composer-attachment.staging').waitFor();
    assert.equal(await sendButton().isDisabled(), true);
    const staged: AttachmentView = {
      id: 'abc123',
      kind: 'image',
      name: 'screenshot.png',
      size: '12 KB',
      mime: 'image/png',
      thumb: `data:image/png;base64,${attach.thumb}`,
      state: 'ready',
    };
    await chat.send({ type: 'attachment-staged', conversationId: 'peer:bob', token: attach.token, attachment: staged });
    await tray().locator('.composer-attachment:not(.staging) img').waitFor();
    await chat.waitForPosted((m) => m.type === 'draft' && m.attachments.includes('abc123'), 'the draft with the image');
    assert.equal(await sendButton().isDisabled(), false, 'an image alone can be sent');
    await chat.screenshot('attachments-tray');

    await page().locator('#composer-input').press('Enter');
    const sent = (await chat.waitForPosted((m) => m.type === 'send', 'send')) as Posted<'send'>;
    assert.deepEqual([sent.text, sent.attachments], ['', ['abc123']]);
    assert.equal(await tray().isHidden(), true, 'the tray empties');
  });

  it('pastes an image into a thread reply: its own tray, kept per thread, sent with the reply', async () => {
    await chat.send(init({ conversations: CHANNELS, selected: deploysView() }));
    const openThread = async (parentId: string) => {
      await page().locator(`#log .message[data-message-id="${parentId}"]`).hover();
      await page().locator(`#log .message[data-message-id="${parentId}"] button[aria-label="Reply in thread"]`).click();
      await chat.waitForPosted((m) => m.type === 'open-thread' && m.messageId === parentId, `open-thread ${parentId}`);
    };
    await openThread('d2');
    await chat.send({ type: 'thread', conversationId: 'channel:deploys', parentId: 'd2', replies: DEPLOYS_REPLIES, hasOlder: false });
    const threadTray = page().locator('#thread-pane .composer-attachments');
    const threadSend = page().locator('#thread-send');

    await paste(chat, [png(400, 300, 9)], '#thread-input');
    const attach = (await chat.waitForPosted((m) => m.type === 'attach-image', 'attach-image')) as Posted<'attach-image'>;
    assert.equal(attach.conversationId, 'channel:deploys', 'staged for the thread’s conversation');
    await threadTray.locator('.composer-attachment.staging').waitFor();
    assert.equal(await tray().isHidden(), true, 'not in the conversation’s tray');
    assert.equal(await threadSend.isDisabled(), true);

    // The conversation's tray does not take the thread's token (each knows only its own).
    const staged: AttachmentView = { id: 'img9', kind: 'image', name: 'screenshot.png', size: '3 KB', mime: 'image/png', state: 'ready' };
    await chat.send({ type: 'attachment-staged', conversationId: 'channel:deploys', token: attach.token, attachment: staged });
    await threadTray.locator('.composer-attachment:not(.staging)').waitFor();
    assert.equal(await tray().isHidden(), true);
    assert.equal(await threadSend.isDisabled(), false, 'an image alone can be sent as a reply');

    // Another thread has an empty tray; back to the first, the image is still there.
    await page().locator('#thread-close').click();
    await openThread('d5');
    assert.equal(await threadTray.isHidden(), true, 'another thread: its own (empty) tray');
    assert.equal(await threadSend.isDisabled(), true);
    await page().locator('#thread-close').click();
    await openThread('d2');
    await threadTray.locator('.composer-attachment:not(.staging)').waitFor();
    await chat.screenshot('attachments-thread-tray');

    await page().locator('#thread-input').fill('the graph after the deploy');
    await page().locator('#thread-input').press('Enter');
    const reply = (await chat.waitForPosted((m) => m.type === 'reply', 'reply')) as Posted<'reply'>;
    assert.deepEqual([reply.conversationId, reply.parentId, reply.text, reply.attachments], ['channel:deploys', 'd2', 'the graph after the deploy', ['img9']]);
    assert.equal(await threadTray.isHidden(), true, 'the thread’s tray empties');
  });

  it('makes a photo-like image small enough (JPEG at last), and refuses what is not an image', async () => {
    await chat.send(init());
    await page().locator('#composer-input').waitFor();
    await paste(chat, [png(900, 600, 5, true)]);
    const attach = (await chat.waitForPosted((m) => m.type === 'attach-image', 'attach-image')) as Posted<'attach-image'>;
    assert.equal(attach.thumbMime, 'image/jpeg', 'noise does not fit as a PNG');
    assert.ok(attach.thumb.length <= 32_768, `${attach.thumb.length} characters`);
    assert.deepEqual([attach.width, attach.height], [900, 600]);

    await chat.clearPosted();
    await paste(chat, [{ name: 'notes.txt', type: 'text/plain', base64: Buffer.from('hello').toString('base64') }]);
    await page().locator('#notice', { hasText: 'notes.txt is not an image' }).waitFor();
    await paste(chat, [{ name: 'broken.png', type: 'image/png', base64: Buffer.from('not really a png').toString('base64') }]);
    await page().locator('#notice', { hasText: 'Could not attach broken.png' }).waitFor();
    assert.deepEqual(
      (await chat.posted()).filter((m) => m.type === 'attach-image'),
      [],
    );
    await chat.send({ type: 'attachment-refused', conversationId: 'peer:bob', token: 'nope', error: 'ignored' });
  });

  it('drops: an image into the tray, another file as an offer, Explorer files by URI', async () => {
    await chat.send(init());
    await page().locator('#composer-input').waitFor();
    await drop(chat, [png(64, 64, 2)]);
    const attach = (await chat.waitForPosted((m) => m.type === 'attach-image', 'attach-image')) as Posted<'attach-image'>;
    assert.deepEqual([attach.width, attach.height], [64, 64]);
    // The extension refuses it: it leaves the tray and the notice says why.
    await chat.send({
      type: 'attachment-refused',
      conversationId: 'peer:bob',
      token: attach.token,
      error: 'screenshot.png is not a PNG, JPEG, GIF or WebP image',
    });
    await page().locator('#notice', { hasText: 'is not a PNG' }).waitFor();
    await tray().waitFor({ state: 'hidden' });

    const pdf = { name: 'report.pdf', type: 'application/pdf', base64: Buffer.from('%PDF-1.7 fake').toString('base64') };
    await drop(chat, [pdf]);
    const data = (await chat.waitForPosted((m) => m.type === 'send-file-data', 'send-file-data')) as Posted<'send-file-data'>;
    assert.deepEqual([data.conversationId, data.name, data.data], ['peer:bob', 'report.pdf', pdf.base64]);

    await drop(chat, [], '# from the Explorer\r\nfile:///work/a.ts\r\nfile:///work/b%20c.md\r\n');
    const files = (await chat.waitForPosted((m) => m.type === 'send-files', 'send-files')) as Posted<'send-files'>;
    assert.deepEqual(files.uris, ['file:///work/a.ts', 'file:///work/b%20c.md']);

    // An image among the Explorer's files: the extension reads it, and the page attaches it like a dropped one.
    await chat.clearPosted();
    const explorerImage = png(500, 100, 6);
    await chat.send({ type: 'image-to-attach', conversationId: 'peer:bob', name: 'plan.png', mime: 'image/png', data: explorerImage.base64 });
    const fromExplorer = (await chat.waitForPosted((m) => m.type === 'attach-image', 'attach-image')) as Posted<'attach-image'>;
    assert.deepEqual([fromExplorer.name, fromExplorer.data, fromExplorer.width, fromExplorer.height], ['plan.png', explorerImage.base64, 500, 100]);
  });

  it("shows a message's image as its thumbnail; a click asks for it, and the state shows", async () => {
    await chat.send(init({ selected: bobView({ messages: [...BOB_MESSAGES, imageMessage('img1')] }) }));
    const img = page().locator('[data-message-id="img1"] .attachment-thumb img');
    await img.waitFor();
    assert.equal(await img.getAttribute('alt'), 'diagram.png');
    assert.match((await img.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    const box = await page().locator('[data-message-id="img1"] .attachment-thumb').boundingBox();
    assert.deepEqual([Math.round(box!.width), Math.round(box!.height)], [240, 150], 'the image proportions, at most 240 a side');
    await chat.screenshot('attachments-message');

    await page().locator('[data-message-id="img1"] .attachment-open').click();
    const open = (await chat.waitForPosted((m) => m.type === 'open-attachment', 'open-attachment')) as Posted<'open-attachment'>;
    assert.deepEqual([open.conversationId, open.messageId, open.attachmentId], ['peer:bob', 'img1', 'att1']);

    await chat.send({ type: 'attachment-state', conversationId: 'peer:bob', messageId: 'img1', attachmentId: 'att1', state: 'fetching' });
    await page().locator('[data-message-id="img1"] .attachment-status', { hasText: 'Fetching' }).waitFor();
    assert.equal(await page().locator('[data-message-id="img1"] .attachment-open').isDisabled(), true);
    await chat.send({
      type: 'attachment-state',
      conversationId: 'peer:bob',
      messageId: 'img1',
      attachmentId: 'att1',
      state: 'failed',
      error: 'bob is offline',
    });
    await page().locator('[data-message-id="img1"] .attachment-status.error', { hasText: 'bob is offline' }).waitFor();
    assert.equal(await page().locator('[data-message-id="img1"] .attachment-open').isDisabled(), false, 'it can be tried again');
  });

  it("keeps a peer's hostile thumbnail and name inert", async () => {
    const hostile = [
      imageMessage('h1', { name: HOSTILE.img, thumb: 'javascript:window.__pwned=1' }),
      imageMessage('h2', { id: 'att2', thumb: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' }),
      imageMessage('h3', { id: 'att3', thumb: `data:image/png;base64,AAAA" onerror="window.__pwned=1` }),
      imageMessage('h4', { id: 'att4', kind: 'file', name: HOSTILE.script, mime: 'application/x-sh', thumb: undefined }),
    ];
    await chat.send(init({ selected: bobView({ messages: hostile }) }));
    await page().locator('[data-message-id="h4"] .attachment').waitFor();
    assert.equal(await page().locator('.message-attachments img').count(), 0, 'no thumbnail became an image');
    assert.equal(await page().locator('[data-message-id="h1"] .attachment-name').textContent(), HOSTILE.img);
    assert.equal(await page().locator('[data-message-id="h4"] .attachment-name').textContent(), HOSTILE.script);
    assert.equal(await chat.pwned(), undefined);
  });

  it('brings drafts back on a fresh page: the text and the staged image', async () => {
    const thumb = `data:image/png;base64,${makePng(40, 30).toString('base64')}`;
    const staged: AttachmentView = { id: 'kept1', kind: 'image', name: 'kept.png', size: '2 KB', mime: 'image/png', thumb, state: 'ready' };
    await chat.send(init({ drafts: [{ conversationId: 'peer:bob', text: 'about this one', attachments: [staged] }] }));
    await tray().locator('.composer-attachment img').waitFor();
    assert.equal(await page().locator('#composer-input').inputValue(), 'about this one');
    assert.equal(await tray().locator('.composer-attachment-name').textContent(), 'kept.png');
    await tray().getByRole('button', { name: 'Remove kept.png' }).click();
    await chat.waitForPosted((m) => m.type === 'draft' && m.conversationId === 'peer:bob' && m.attachments.length === 0, 'the draft without it');
    assert.equal(await tray().isHidden(), true);
  });
});
