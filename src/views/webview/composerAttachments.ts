import type { AttachmentView, DraftView } from '../chatProtocol';
import { button, h, icon } from './dom';
import { makeThumbnail, readBase64 } from './thumbnail';
import { post } from './vscodeApi';

/**
 * Images and files put into the composer. A pasted or dropped image gets a thumbnail here and
 * goes to the extension, which checks and keeps it; it then waits in the tray above the box and
 * goes with the next message. Other dropped files are offered to the people in the conversation
 * (the extension's offer flow). Each conversation keeps its own tray (its draft), also across
 * reloads (the extension keeps drafts; `setDrafts` brings them back). The thread box has a tray
 * of its own, kept per thread while the page lives.
 */

/** The same limits the extension checks (WebviewLimits, Limits.attachmentsPerMessage). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const MAX_DROPPED_FILE_BYTES = 50 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;
/** Types a message's image may be: the extension checks the bytes say so too. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** What VS Code's Explorer puts on a drag (its resources), and the standard list. */
const URI_LISTS = ['application/vnd.code.uri-list', 'text/uri-list'];

export interface ComposerAttachmentsEvents {
  /** An image with its thumbnail, for the extension to check and keep (for the conversation on screen). */
  attachImage(image: { token: string; name: string; data: string; thumb: string; thumbMime: 'image/png' | 'image/jpeg'; width: number; height: number }): void;
  /** Files dropped from VS Code's Explorer, by URI. */
  sendFiles(uris: string[]): void;
  /** A file dropped from the system, by its bytes. */
  sendFileData(name: string, data: string): void;
  /** A conversation's tray changed (the Send button, the draft). */
  changed(conversationId: string): void;
  /** Something could not be attached, and why. */
  notice(text: string): void;
}

/**
 * The events of a tray whose images and files go, through the extension, to the conversation
 * `target()` names (the one on screen, or the thread's); `changed` and `notice` as given.
 */
export function postingTo(target: () => string | undefined, changed: (key: string) => void, notice: (text: string) => void): ComposerAttachmentsEvents {
  const to = (send: (conversationId: string) => void) => {
    const conversationId = target();
    if (conversationId !== undefined) send(conversationId);
  };
  return {
    attachImage: (image) => to((conversationId) => post({ type: 'attach-image', conversationId, ...image })),
    sendFiles: (uris) => to((conversationId) => post({ type: 'send-files', conversationId, uris })),
    sendFileData: (name, data) => to((conversationId) => post({ type: 'send-file-data', conversationId, name, data })),
    changed,
    notice,
  };
}

interface Item {
  token: string;
  name: string;
  /** The thumbnail made here, until the extension's view replaces it. */
  thumb: string;
  attachment?: AttachmentView;
}

export class ComposerAttachments {
  private readonly tray = h('div', { className: 'composer-attachments', attrs: { role: 'list' } });
  private conversationId: string | undefined;
  private items: Item[] = [];
  /** Other conversations' staged images (their drafts). */
  private readonly drafts = new Map<string, Item[]>();
  private nextToken = 1;

  /**
   * `tokenPrefix` keeps this tray's tokens apart from another's (the thread box's), as the
   * extension answers every tray's images with the conversation id alone; `label` names the
   * tray for screen readers.
   */
  constructor(
    private readonly events: ComposerAttachmentsEvents,
    composer: HTMLElement,
    input: HTMLTextAreaElement,
    dropTarget: HTMLElement,
    private readonly tokenPrefix = 't',
    label = 'Attachments to send',
  ) {
    this.tray.hidden = true;
    this.tray.setAttribute('aria-label', label);
    composer.before(this.tray);
    input.addEventListener('paste', (event) => this.onPaste(event));
    dropTarget.addEventListener('dragover', (event) => this.onDragOver(event, dropTarget));
    dropTarget.addEventListener('dragleave', (event) => {
      if (!dropTarget.contains(event.relatedTarget as Node | null)) dropTarget.classList.remove('drop-target');
    });
    dropTarget.addEventListener('drop', (event) => {
      dropTarget.classList.remove('drop-target');
      this.onDrop(event);
    });
  }

  /** Switch trays: the one on screen is kept as its conversation's draft. */
  setConversation(conversationId: string | undefined): void {
    if (this.conversationId !== undefined) this.keep(this.conversationId, this.items);
    this.conversationId = conversationId;
    this.items = conversationId !== undefined ? (this.drafts.get(conversationId) ?? []) : [];
    this.render();
  }

  /** The drafts the extension kept (a fresh page); the tray on screen takes its own. */
  setDrafts(drafts: readonly DraftView[]): void {
    for (const draft of drafts) {
      const items = draft.attachments.map((attachment) => ({
        token: `draft-${this.nextToken++}`,
        name: attachment.name,
        thumb: attachment.thumb ?? '',
        attachment,
      }));
      if (draft.conversationId === this.conversationId) {
        if (this.items.length === 0) this.items = items;
      } else if (!this.drafts.has(draft.conversationId)) this.keep(draft.conversationId, items);
    }
    this.render();
  }

  /** The ids of the images ready to go with the conversation's next message (those still being checked are not). */
  readyIds(conversationId = this.conversationId): string[] {
    const items = conversationId === this.conversationId ? this.items : (this.drafts.get(conversationId ?? '') ?? []);
    return items.flatMap((item) => (item.attachment ? [item.attachment.id] : []));
  }

  get hasReady(): boolean {
    return this.items.some((item) => item.attachment);
  }

  /** Sent: the tray empties (images still being checked stay for the next message). */
  sent(): void {
    this.items = this.items.filter((item) => !item.attachment);
    this.render();
    if (this.conversationId !== undefined) this.events.changed(this.conversationId);
  }

  /** The extension kept an image (one of this tray's, by its token; others' are not found). */
  staged(token: string, attachment: AttachmentView): void {
    const found = this.find(token);
    if (!found) return;
    found.item.attachment = attachment;
    this.render();
    this.events.changed(found.key);
  }

  /** The extension refused one of this tray's images: it leaves the tray, and the notice says why. */
  refused(token: string, error: string): void {
    const found = this.find(token);
    if (!found) return;
    this.remove(found.key, token);
    this.events.notice(error);
  }

  /** An item by its token, on screen or in a kept draft, with the key it is kept under. */
  private find(token: string): { key: string; item: Item } | undefined {
    const onScreen = this.items.find((item) => item.token === token);
    if (onScreen && this.conversationId !== undefined) return { key: this.conversationId, item: onScreen };
    for (const [key, items] of this.drafts) {
      const item = items.find((i) => i.token === token);
      if (item) return { key, item };
    }
    return undefined;
  }

  private remove(conversationId: string, token: string): void {
    if (conversationId === this.conversationId) {
      this.items = this.items.filter((item) => item.token !== token);
      this.render();
    } else
      this.keep(
        conversationId,
        (this.drafts.get(conversationId) ?? []).filter((item) => item.token !== token),
      );
    this.events.changed(conversationId);
  }

  private keep(conversationId: string, items: Item[]): void {
    this.drafts.delete(conversationId);
    if (items.length > 0) this.drafts.set(conversationId, items);
  }

  // ---------------------------------------------------------------- paste and drop

  private onPaste(event: ClipboardEvent): void {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    for (const file of files) {
      if (!IMAGE_TYPES.has(file.type)) {
        this.events.notice(`${file.name || 'That'} is not an image (PNG, JPEG, GIF or WebP), so it cannot be pasted. Drag files into the chat to offer them.`);
      } else void this.addImage(file, true);
    }
  }

  private onDragOver(event: DragEvent, target: HTMLElement): void {
    const types = [...(event.dataTransfer?.types ?? [])];
    if (this.conversationId === undefined || !(types.includes('Files') || URI_LISTS.some((t) => types.includes(t)))) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    target.classList.add('drop-target');
  }

  private onDrop(event: DragEvent): void {
    const data = event.dataTransfer;
    if (!data || this.conversationId === undefined) return;
    event.preventDefault();
    const uris = uriList(data);
    if (uris.length > 0) {
      this.events.sendFiles(uris);
      return;
    }
    for (const file of data.files) {
      if (IMAGE_TYPES.has(file.type) && file.size <= MAX_IMAGE_BYTES) void this.addImage(file, false);
      else void this.offerFile(file);
    }
  }

  /** An image the extension read (dropped from the Explorer): attached like a dropped one. */
  attachBytes(name: string, mime: string, base64: string): void {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    void this.addImage(new File([bytes], name, { type: mime }), false);
  }

  private async offerFile(file: File): Promise<void> {
    if (file.size > MAX_DROPPED_FILE_BYTES) {
      this.events.notice(`${file.name} is too large to drop here (over 50 MB). Send it from the Explorer with "Send to Peer…".`);
      return;
    }
    try {
      this.events.sendFileData(file.name, await readBase64(file));
    } catch (err) {
      this.events.notice(`Could not send ${file.name}: ${(err as Error).message}.`);
    }
  }

  /** Thumbnail here, bytes to the extension; the tray shows the image meanwhile. */
  private async addImage(file: File, pasted: boolean): Promise<void> {
    const conversationId = this.conversationId;
    const name = file.name || 'image.png';
    if (conversationId === undefined) return;
    if (file.size > MAX_IMAGE_BYTES) {
      const how = pasted ? 'Drag it into the chat to send it as a file instead.' : '';
      this.events.notice(`${name} is too large for a message (over 20 MB). ${how}`.trim());
      return;
    }
    if (this.items.length >= MAX_ATTACHMENTS) {
      this.events.notice(`A message takes at most ${MAX_ATTACHMENTS} images: send these first.`);
      return;
    }
    const token = `${this.tokenPrefix}${this.nextToken++}`;
    const item: Item = { token, name, thumb: '' };
    this.items.push(item);
    this.render();
    try {
      const [thumb, data] = await Promise.all([makeThumbnail(file), readBase64(file)]);
      item.thumb = `data:${thumb.mime};base64,${thumb.data}`;
      if (!this.find(token)) return; // removed meanwhile
      this.render();
      this.events.attachImage({ token, name, data, thumb: thumb.data, thumbMime: thumb.mime, width: thumb.width, height: thumb.height });
    } catch (err) {
      this.remove(conversationId, token);
      this.events.notice(`Could not attach ${name}: ${(err as Error).message}.`);
    }
  }

  // ---------------------------------------------------------------- the tray

  private render(): void {
    this.tray.hidden = this.items.length === 0;
    this.tray.replaceChildren(...this.items.map((item) => this.itemElement(item)));
  }

  private itemElement(item: Item): HTMLElement {
    const ready = item.attachment !== undefined;
    const thumb = item.attachment?.thumb ?? item.thumb;
    const preview = h('span', { className: 'composer-attachment-thumb' });
    if (/^data:image\/(?:png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/.test(thumb)) {
      const img = h('img', { attrs: { alt: '' } });
      // Our own thumbnail (or the extension's checked copy of it): a data: URI of an image only.
      img.src = thumb;
      preview.append(img);
    } else preview.append(icon('file-media'));
    const conversationId = this.conversationId!;
    return h(
      'div',
      { className: `composer-attachment${ready ? '' : ' staging'}`, attrs: { role: 'listitem', 'aria-busy': ready ? 'false' : 'true' } },
      preview,
      h('span', { className: 'composer-attachment-name', attrs: { title: item.name } }, item.name),
      !ready && icon('loading', 'codicon-modifier-spin'),
      button('icon-button composer-attachment-remove', `Remove ${item.name}`, [icon('close')], () => this.remove(conversationId, item.token)),
    );
  }
}

/** The `file:` (and other) URIs of a drag from VS Code's Explorer or a file manager that gives them. */
function uriList(data: DataTransfer): string[] {
  for (const type of URI_LISTS) {
    const text = data.getData(type);
    const uris = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    if (uris.length > 0) return uris;
  }
  return [];
}
