import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { conversationKeyFor } from '../../src/model/conversationIds';
import type { Attachment } from '../../src/net/protocol/richMessages';
import { makePng } from '../unit/helpers/pngImage';
import type { FrameLocator } from 'playwright-core';
import { aliceAndBob, openConversation, sha256, tempDir } from './team';

/**
 * Images in messages between alice (VS Code) and bob (a headless TeamClient): an image pasted
 * into alice's composer goes to bob as an image message with a thumbnail, and bob gets the whole
 * image from alice's extension by asking for it; bob's image shows in alice's chat as a thumbnail,
 * and clicking it fetches the image from bob (SHA-256 checked) and opens it in VS Code. An image
 * pasted into a thread's reply box goes with the reply.
 */

/** The page's globals the paste uses (the root tsconfig has no DOM types). */
declare class DataTransfer {
  items: { add(file: unknown): void };
}
declare class File {
  constructor(parts: unknown[], name: string, options: { type: string });
}
declare class ClipboardEvent {
  constructor(type: string, init: { clipboardData: DataTransfer; bubbles: boolean; cancelable: boolean });
}
declare function atob(data: string): string;

describe('e2e Team Messenger: images in messages', function () {
  const team = aliceAndBob({ name: 'images' });

  /** A paste as the browser delivers it (an image on the clipboard): the page cannot tell the difference. */
  async function pasteImage(frame: FrameLocator, box: string, image: Buffer): Promise<void> {
    await frame.locator(box).evaluate((input, base64) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'image.png', { type: 'image/png' }));
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, image.toString('base64'));
  }

  it('a pasted image goes to bob as an image message, and bob gets the whole image from alice', async function () {
    const { vscode, bob, aliceId } = await team.connectBob();
    const frame = await openConversation(vscode, 'bob');
    const image = makePng(800, 450, 9);
    await pasteImage(frame, '#composer-input', image);
    await vscode.waitForVisible(frame.locator('#conversation .composer-attachment:not(.staging) img'), 'the image, kept, in the composer');
    await frame.locator('#composer-input').fill('the new layout');
    await vscode.screenshot('images-1-pasted');
    await frame.locator('#composer-input').press('Enter');

    const got = await vscode.waitUntil('bob to receive the image message', () => bob.messages.find((m) => m.from === aliceId && m.attachments));
    assert.equal(got.text, 'the new layout');
    const [attachment] = got.attachments!;
    const digest = crypto.createHash('sha256').update(image).digest('hex');
    assert.equal(attachment!.kind, 'image');
    assert.equal(attachment!.sha256, digest);
    assert.deepEqual([attachment!.size, attachment!.mime, attachment!.width, attachment!.height], [image.length, 'image/png', 800, 450]);
    assert.ok(attachment!.thumb && attachment!.thumb.length <= 32_768, 'a bounded thumbnail came with it');
    await vscode.waitForVisible(frame.locator('#log .attachment-thumb img').last(), "the sent image in alice's chat");
    await vscode.screenshot('images-2-sent');

    bob.autoAcceptDir = tempDir(team.scenario, 'bob-images');
    await bob.client.requestAttachment(conversationKeyFor(`peer:${aliceId}`, bob.clientId), got.id, attachment!.id);
    const [received] = await vscode.waitUntil('bob to receive the whole image', () => (bob.received.length > 0 ? bob.received : undefined), 60_000);
    assert.equal(bob.offers[0]?.attachment?.message, got.id, 'the offer names the message');
    assert.equal(sha256(received!.path), digest, 'the very bytes alice pasted');
  });

  it("bob's image shows as a thumbnail; clicking it fetches it from bob and opens it in VS Code", async function () {
    const { vscode, bob, aliceId } = await team.connectBob();
    const outbox = tempDir(team.scenario, 'bob-outbox');
    const full = makePng(1200, 700, 4);
    const file = path.join(outbox, 'diagram.png');
    fs.writeFileSync(file, full);
    const attachment: Attachment = {
      id: 'diagram1',
      kind: 'image',
      name: 'diagram.png',
      size: full.length,
      mime: 'image/png',
      sha256: sha256(file),
      width: 1200,
      height: 700,
      thumb: makePng(96, 56, 4).toString('base64'),
      thumbMime: 'image/png',
    };
    // Bob answers a request for it as his extension would: an offer naming the attachment.
    const requests: string[] = [];
    bob.client.on('file-request', (request) => {
      requests.push(request.from);
      void bob.client.sendFiles(request.from, [file], { attachment: { conv: request.conv, message: request.message, attachment: request.attachment } });
    });
    await bob.client.send([aliceId], 'the architecture, for review', { attachments: [attachment] });

    const frame = await openConversation(vscode, 'bob');
    const thumb = frame.locator('#log .message', { hasText: 'the architecture, for review' }).locator('.attachment-thumb img');
    await vscode.waitForVisible(thumb, "bob's thumbnail in alice's chat");
    assert.equal(await thumb.getAttribute('alt'), 'diagram.png');
    await vscode.screenshot('images-3-thumbnail');

    await thumb.click();
    const tab = vscode.page.locator('.tabs-container .tab', { hasText: 'diagram.png' });
    await vscode.waitForVisible(tab, 'the image opened in an editor', 60_000);
    // VS Code's image preview says the size of the image it shows: the whole one, not the thumbnail.
    await vscode.waitForVisible(vscode.page.locator('.statusbar-item', { hasText: /^\s*1200x700\s*$/ }), 'the whole image (1200x700) in the preview');
    assert.deepEqual(requests, [aliceId], 'alice asked bob once');
    await vscode.screenshot('images-4-opened');
  });

  it('an image pasted into a thread reply goes with the reply', async function () {
    const { vscode, bob, aliceId } = await team.connectBob();
    const parent = await bob.client.send([aliceId], 'how does the dialog look on your screen?');
    const frame = await openConversation(vscode, 'bob');
    const row = frame.locator('#log .message', { hasText: 'how does the dialog look on your screen?' });
    await vscode.waitForVisible(row, "bob's question in alice's chat");
    await row.hover();
    await row.getByRole('button', { name: 'Reply in thread' }).click();
    await vscode.waitForVisible(frame.locator('#thread-pane'), 'the thread pane');
    const image = makePng(640, 400, 12);
    await pasteImage(frame, '#thread-input', image);
    await vscode.waitForVisible(frame.locator('#thread-pane .composer-attachment:not(.staging) img'), 'the image, kept, in the thread’s box');
    assert.equal(await frame.locator('#conversation .composer-attachment').count(), 0, 'not in the conversation’s box');
    await frame.locator('#thread-input').fill('like this');
    await vscode.screenshot('images-5-thread-pasted');
    await frame.locator('#thread-input').press('Enter');

    const reply = await vscode.waitUntil('bob to receive the reply with the image', () =>
      bob.messages.find((m) => m.from === aliceId && m.text === 'like this'),
    );
    assert.equal(reply.thread, parent.id, 'a reply in the thread of bob’s message');
    assert.equal(reply.attachments?.[0]?.sha256, crypto.createHash('sha256').update(image).digest('hex'));
    await vscode.waitForVisible(frame.locator('#thread-replies .attachment-thumb img'), 'the image in the thread');
    await vscode.screenshot('images-6-thread-reply');
  });
});
