import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Limits } from '../net/protocol/limits';
import type { Attachment } from '../net/protocol/richMessages';
import type { AttachmentExchange } from '../model/attachmentExchange';
import { checkImage, MAX_IMAGE_BYTES } from '../model/attachmentImages';
import type { AttachmentStore } from '../model/attachmentStore';
import { recipients } from '../model/attachmentRecipients';
import { channelOf } from '../model/conversationStore';
import type { ConversationId } from '../model/conversationTypes';
import type { Drafts } from '../model/drafts';
import type { FileCards } from '../model/fileCards';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import type { MessengerModel } from '../model/messengerModel';
import { attachmentView, thumbnailUri } from './attachmentViews';
import type { DraftView, FromWebview, ToWebview } from './chatProtocol';
import { showErrorMessage, showWarningMessage } from './safeWindow';

/** What the chat's attachments work with (one of each per window). */
export interface AttachmentsContext {
  messenger: MessengerModel;
  cards: FileCards;
  store: AttachmentStore;
  exchange: AttachmentExchange;
  drafts: Drafts;
}

export type AttachmentRequest = Extract<FromWebview, { type: 'attach-image' | 'send-files' | 'send-file-data' | 'open-attachment' | 'draft' }>;

/** People a file dropped into a channel is offered to at most (each gets an offer of their own). */
export const MAX_CHANNEL_RECIPIENTS = 20;
/** Files dropped from the Explorer that may be images (their bytes decide). */
const IMAGE_NAME = /\.(?:png|jpe?g|gif|webp)$/i;
/** An attachment's id: a prefix of its SHA-256 (the sender's client finds the bytes by it). */
const ID_CHARS = 16;

/**
 * The composer's images and files, on the extension's side. A pasted image arrives with the
 * thumbnail the page made: its bytes are checked (a PNG, JPEG, GIF or WebP by its signature,
 * within the size limit), kept in the attachment store and named by their hash, and go with the
 * next message. Dropped files are offered, person by person, with the ordinary offer flow. A
 * message's attachment opens from the store, fetched from its author first when needed. Drafts
 * (text and staged images) are kept per conversation.
 */
export class PanelAttachments extends Disposable {
  /** Images staged in this session, by id (a draft's images are found in the draft). */
  private readonly staged = new Map<string, Attachment>();

  constructor(
    private readonly context: AttachmentsContext,
    private readonly post: (message: ToWebview) => void,
  ) {
    super();
    this._register(
      context.exchange.onDidChange((e) =>
        post({
          type: 'attachment-state',
          conversationId: e.conversationId,
          messageId: e.messageId,
          attachmentId: e.attachmentId,
          state: e.state,
          ...(e.error !== undefined ? { error: e.error } : {}),
        }),
      ),
    );
  }

  handle(request: AttachmentRequest): void {
    switch (request.type) {
      case 'attach-image':
        void this.stageImage(request);
        return;
      case 'send-files':
        void this.sendDropped(request.conversationId, request.uris);
        return;
      case 'send-file-data':
        void this.sendData(request.conversationId, request.name, request.data);
        return;
      case 'open-attachment':
        void this.open(request.conversationId, request.messageId, request.attachmentId);
        return;
      case 'draft':
        this.context.drafts.set(request.conversationId, { text: request.text, attachments: this.resolve(request.conversationId, request.attachments) });
        return;
    }
  }

  /** The staged images `ids` name (in the order given); ones no longer known are left out. */
  resolve(conversationId: ConversationId, ids: readonly string[] | undefined): Attachment[] {
    if (!ids) return [];
    const drafted = this.context.drafts.get(conversationId)?.attachments ?? [];
    const found = ids.map((id) => this.staged.get(id) ?? drafted.find((a) => a.id === id));
    return found.filter((a): a is Attachment => a !== undefined);
  }

  /** Every kept draft, for a fresh page. */
  draftViews(): DraftView[] {
    return this.context.drafts.all().map(([conversationId, draft]) => ({
      conversationId,
      text: draft.text,
      attachments: draft.attachments.map((a) => ({ ...attachmentView(a), state: 'ready' as const })),
    }));
  }

  private async stageImage(request: Extract<AttachmentRequest, { type: 'attach-image' }>): Promise<void> {
    const { conversationId, token } = request;
    const refuse = (error: string) => this.post({ type: 'attachment-refused', conversationId, token, error });
    const bytes = Buffer.from(request.data, 'base64');
    const info = checkImage(bytes, request.name);
    if ('error' in info) return refuse(info.error);
    if (thumbnailUri(request.thumb, request.thumbMime) === undefined) return refuse(`Could not make a preview of ${request.name}.`);
    try {
      const stored = await this.context.store.put(bytes, withExtension(request.name, info.mime));
      const attachment: Attachment = {
        id: stored.sha256.slice(0, ID_CHARS),
        kind: 'image',
        name: path.basename(stored.path),
        size: stored.size,
        mime: info.mime,
        sha256: stored.sha256,
        width: info.width,
        height: info.height,
        thumb: request.thumb,
        thumbMime: request.thumbMime,
      };
      this.staged.set(attachment.id, attachment);
      this.post({ type: 'attachment-staged', conversationId, token, attachment: { ...attachmentView(attachment), state: 'ready' } });
    } catch (err) {
      refuse(`Could not keep ${request.name}: ${(err as Error).message}`);
    }
  }

  private async open(conversationId: ConversationId, messageId: string, attachmentId: string): Promise<void> {
    try {
      const file = await this.context.exchange.fetch(conversationId, messageId, attachmentId);
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file.path), { preview: true });
    } catch (err) {
      // The message shows why too (attachment-state); a notification says it where the user may be looking.
      void showWarningMessage(inert`${(err as Error).message}`);
    }
  }

  /** Files dropped from the Explorer: paths outside the workspace are confirmed first. */
  private async sendDropped(conversationId: ConversationId, uris: string[]): Promise<void> {
    const files: string[] = [];
    for (const raw of uris) {
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(raw, true);
      } catch {
        continue;
      }
      if (uri.scheme === 'file') files.push(uri.fsPath);
    }
    if (files.length === 0) return void showWarningMessage('Only files on this machine can be sent.');
    const outside = files.filter((f) => !vscode.workspace.getWorkspaceFolder(vscode.Uri.file(f)));
    if (outside.length > 0) {
      const choice = await showWarningMessage(
        inert`Send ${outside.length === 1 ? path.basename(outside[0]!) : `${outside.length} files`} from outside the workspace?`,
        { modal: true, detail: inert(outside.slice(0, 10).join('\n'), { multiline: true }) },
        'Send',
      );
      if (choice !== 'Send') return;
    }
    const images = await this.imagesAmong(files);
    for (const image of images) this.post({ type: 'image-to-attach', conversationId, name: path.basename(image.file), mime: image.mime, data: image.data });
    const others = files.filter((f) => !images.some((i) => i.file === f));
    if (others.length > 0) await this.offer(conversationId, others);
  }

  /** The dropped files that go into the message as images (the page makes their thumbnails), up to a message's worth. */
  private async imagesAmong(files: string[]): Promise<{ file: string; mime: string; data: string }[]> {
    const images: { file: string; mime: string; data: string }[] = [];
    for (const file of files) {
      if (images.length >= Limits.attachmentsPerMessage || !IMAGE_NAME.test(file)) continue;
      const size = (await fs.stat(file).catch(() => undefined))?.size;
      if (size === undefined || size > MAX_IMAGE_BYTES) continue;
      const bytes = await fs.readFile(file).catch(() => undefined);
      const info = bytes && checkImage(bytes, path.basename(file));
      if (info && !('error' in info)) images.push({ file, mime: info.mime, data: bytes.toString('base64') });
    }
    return images;
  }

  /** A file dropped from the system: kept in the store (bounded) and offered from there. */
  private async sendData(conversationId: ConversationId, name: string, data: string): Promise<void> {
    try {
      const stored = await this.context.store.put(Buffer.from(data, 'base64'), name);
      await this.offer(conversationId, [stored.path]);
    } catch (err) {
      void showErrorMessage(inert`Could not send ${name}: ${(err as Error).message}`);
    }
  }

  /** Offers `files` to the people of the conversation: each one (a channel: its members online now, bounded, after saying so). */
  private async offer(conversationId: ConversationId, files: string[]): Promise<void> {
    const { messenger, cards } = this.context;
    const what = files.length === 1 ? path.basename(files[0]!) : `${files.length} files`;
    let people = recipients(messenger, conversationId);
    if (people.length === 0 && channelOf(conversationId) === undefined) return void showWarningMessage('There is nobody to send files to here.');
    if (channelOf(conversationId) !== undefined) {
      if (people.length === 0)
        return void showWarningMessage(inert`Nobody else in this channel is online to take ${what}: files go straight to people, not into the channel.`);
      const capped = people.length > MAX_CHANNEL_RECIPIENTS ? ` (the first ${MAX_CHANNEL_RECIPIENTS})` : '';
      const choice = await showWarningMessage(
        inert`Offer ${what} to the ${people.length} channel members online now${capped}?`,
        { modal: true, detail: inert`Files go straight to people, not into the channel: each one gets an offer to accept.` },
        'Offer',
      );
      if (choice !== 'Offer') return;
      people = people.slice(0, MAX_CHANNEL_RECIPIENTS);
    }
    for (const peerId of people) {
      const name = messenger.nameOf(peerId);
      try {
        cards.trackOutgoing(await messenger.sendFiles(peerId, files), peerId, name);
      } catch (err) {
        void showErrorMessage(inert`Cannot send ${what} to ${name}: ${(err as Error).message}`);
      }
    }
  }
}

/** The name with the extension its type has (a pasted "image.png" that is a JPEG opens as one). */
function withExtension(name: string, mime: string): string {
  const ext = mime === 'image/jpeg' ? '.jpg' : `.${mime.slice('image/'.length)}`;
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return `${base || 'image'}${ext}`;
}
