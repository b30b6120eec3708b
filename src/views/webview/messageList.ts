import type { FileCard, MessageView, SeenView } from '../chatProtocol';
import { h, icon } from './dom';
import { type FileCardActions, fileCardElement, updateFileCard } from './fileCardView';
import { whenFormatted } from './formatting';
import { InlineEditor } from './inlineEditor';
import { MessageRows, cardKey, messageKey } from './messageRows';
import { type MessageActions, daySeparator, groupHeader, messageElement } from './messageView';
import { type Anchor, VirtualList } from './virtualList';

export interface ListActions extends MessageActions, FileCardActions {
  /** An edit was saved: the new text, to post. */
  edit(messageId: string, text: string): void;
  /** An edit ended (saved or cancelled): the composer takes the focus back. */
  editEnded(): void;
}

/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 4_000;
const LINE_PX = 18;

/**
 * The messages of the conversation on screen, rendered through a VirtualList: consecutive
 * messages from one sender within GROUP_GAP_MS share a header, a separator starts every day,
 * "New messages" sits above the first unread one and "Seen by" under the user's last one. The
 * rows are one keyboard stop (roving tabindex): Up/Down/Home/End move between them, Tab goes
 * into the current row's buttons.
 */
export class MessageList {
  readonly rows = new MessageRows();
  private readonly virtual: VirtualList;
  private selfName = '';
  private seen: SeenView | undefined;
  private highlightId: string | undefined;
  private highlightTimer: ReturnType<typeof setTimeout> | undefined;
  private editor: InlineEditor | undefined;
  /** The row that takes the Tab stop. */
  private activeKey: string | undefined;

  constructor(
    scroller: HTMLElement,
    content: HTMLElement,
    private readonly actions: ListActions,
    rendered: (first: number, last: number) => void,
  ) {
    const rows = this.rows;
    this.virtual = new VirtualList(
      scroller,
      content,
      {
        get count() {
          return rows.count;
        },
        key: (i) => this.rows.at(i)!.key,
        indexOf: (key) => this.rows.indexOf(key),
        signature: (i) => this.signature(i),
        render: (i) => this.renderRow(i),
        estimate: (i, width) => this.estimate(i, width),
      },
      rendered,
    );
    // Rows drawn before the formatter came are drawn again formatted, in place: measured before the next paint.
    whenFormatted(() => this.virtual.remeasure());
    content.addEventListener('keydown', (event) => this.onKey(event));
    content.addEventListener('focusin', (event) => {
      const row = (event.target as Element).closest<HTMLElement>('.vrow');
      if (row?.dataset.key) this.setActive(row.dataset.key);
    });
  }

  setSelfName(name: string): void {
    this.selfName = name;
  }

  get length(): number {
    return this.rows.count;
  }

  get atBottom(): boolean {
    return this.virtual.atBottom;
  }

  get position(): Anchor | undefined {
    return this.virtual.position;
  }

  /** How many rows are in the DOM now. */
  get mountedCount(): number {
    return this.virtual.mountedCount;
  }

  /** A whole conversation; shown at `at` (a row and offset), at `focusId`, or at the bottom. */
  render(messages: MessageView[], cards: FileCard[], options: { firstUnreadId?: string; seen?: SeenView; at?: Anchor; focusId?: string } = {}): void {
    this.endEdit(false);
    this.rows.reset(messages, cards);
    this.rows.firstUnreadId = options.firstUnreadId;
    this.seen = options.seen;
    this.activeKey = undefined;
    if (options.focusId !== undefined && this.rows.keyOfMessage(options.focusId) !== undefined) this.jumpTo(options.focusId);
    else if (options.at && this.rows.indexOf(options.at.key) !== undefined) this.virtual.showAt(options.at);
    else this.virtual.showBottom();
  }

  prepend(messages: MessageView[]): number {
    const added = this.rows.prepend(messages);
    if (added > 0) this.virtual.refresh();
    return added;
  }

  append(messages: MessageView[]): number {
    const added = this.rows.append(messages);
    if (added > 0) this.virtual.refresh();
    return added;
  }

  upsert(message: MessageView, previousId?: string, onlyHeld = false): 'added' | 'updated' | 'ignored' {
    const result = this.rows.upsert(message, previousId, onlyHeld);
    if (result === 'ignored') return result;
    if (this.editor?.messageId === message.id && message.deleted) this.endEdit(false);
    if (previousId !== undefined && this.activeKey === messageKey(previousId)) this.activeKey = messageKey(message.id);
    this.virtual.refresh();
    return result;
  }

  upsertCard(card: FileCard): 'added' | 'updated' {
    const key = cardKey(card.id);
    const index = this.rows.indexOf(key);
    const before = index === undefined ? undefined : this.rows.at(index)!.card;
    const result = this.rows.upsertCard(card);
    // Updated in place, not redrawn: a focused Cancel keeps the focus while progress moves.
    const row = this.virtual.element(key);
    const el = row?.querySelector<HTMLElement>('.file-card');
    if (before && row && el) {
      updateFileCard(el, before, card, this.actions);
      setTabbable(row, key === this.currentActive());
    }
    this.virtual.refresh();
    return result;
  }

  message(id: string): MessageView | undefined {
    return this.rows.message(id);
  }

  setSeen(seen: SeenView | undefined): void {
    const old = this.seen;
    this.seen = seen;
    if (old) this.rows.touch(messageKey(old.messageId));
    if (seen) this.rows.touch(messageKey(seen.messageId));
    this.virtual.refresh();
  }

  scrollToBottom(): void {
    this.virtual.scrollToBottom();
  }

  /** Scrolls to a message (or the file card shown for it) and highlights it for a moment; false when it is not held. */
  jumpTo(messageId: string): boolean {
    const key = this.rows.keyOfMessage(messageId);
    if (key === undefined) return false;
    clearTimeout(this.highlightTimer);
    const old = this.highlightId;
    this.highlightId = messageId;
    const oldKey = old === undefined ? undefined : this.rows.keyOfMessage(old);
    if (oldKey !== undefined) this.rows.touch(oldKey);
    this.rows.touch(key);
    this.activeKey = key;
    this.virtual.showKey(key);
    this.highlightTimer = setTimeout(() => {
      this.highlightId = undefined;
      this.rows.touch(key);
      this.virtual.refresh();
    }, HIGHLIGHT_MS);
    return true;
  }

  /** Edits the user's last message (Up arrow in an empty composer); false when there is none. */
  editLast(): boolean {
    const last = this.rows.lastEditable();
    if (!last) return false;
    this.startEdit(last.id);
    return true;
  }

  startEdit(messageId: string): void {
    const message = this.rows.message(messageId);
    if (!message || !message.own || message.deleted) return;
    this.endEdit(false);
    const key = messageKey(messageId);
    this.editor = new InlineEditor(
      messageId,
      message.text,
      (text) => {
        // Shown at once; the relay's update confirms it (or the extension says it failed).
        const current = this.rows.message(messageId);
        if (current) this.rows.upsert({ ...current, text, edited: Date.now() });
        this.actions.edit(messageId, text);
        this.endEdit(true);
      },
      () => this.endEdit(true),
    );
    this.virtual.pin(key, true);
    this.rows.touch(key);
    this.virtual.refresh();
    this.virtual.scrollToKey(key, 'nearest');
    this.editor.focus();
  }

  get editingId(): string | undefined {
    return this.editor?.messageId;
  }

  private endEdit(notify: boolean): void {
    const editor = this.editor;
    if (!editor) return;
    this.editor = undefined;
    const key = messageKey(editor.messageId);
    this.virtual.pin(key, false);
    this.rows.touch(key);
    this.virtual.refresh();
    if (notify) this.actions.editEnded();
  }

  // ---------------------------------------------------------------- rendering

  private signature(index: number): string {
    const row = this.rows.at(index)!;
    const d = this.rows.decorations(index);
    // Cards update in place (upsertCard); a card shown for a message jumped to is highlighted.
    if (row.card) return `card|${d.day ? 1 : 0}|${row.card.messageId !== undefined && row.card.messageId === this.highlightId ? 1 : 0}`;
    const id = row.message?.id;
    const seen = id !== undefined && this.seen?.messageId === id ? this.seen.names.join('\u0000') : '';
    return `${row.version}|${d.day ? 1 : 0}${d.header ? 1 : 0}${d.divider ? 1 : 0}|${id === this.highlightId ? 1 : 0}${id === this.editor?.messageId ? 1 : 0}|${seen}`;
  }

  private renderRow(index: number): HTMLElement {
    const row = this.rows.at(index)!;
    const d = this.rows.decorations(index);
    const el = h('div', { className: 'row' }, d.day && daySeparator(row.ts));
    if (row.card) {
      el.classList.add('card-row');
      const card = fileCardElement(row.card, this.actions);
      card.tabIndex = -1;
      if (row.card.messageId !== undefined && row.card.messageId === this.highlightId) card.classList.add('highlight');
      el.appendChild(card);
    } else {
      const message = row.message!;
      if (d.divider)
        el.appendChild(h('div', { className: 'unread-divider', attrs: { role: 'separator', 'aria-label': 'New messages' } }, h('span', {}, 'New messages')));
      if (d.header) {
        el.classList.add('group-start');
        el.appendChild(groupHeader(message, this.selfName));
      }
      const editing = this.editor?.messageId === message.id;
      const messageEl = messageElement(message, { selfName: this.selfName, actions: this.actions, editor: editing ? this.editor!.el : undefined });
      if (message.id === this.highlightId) messageEl.classList.add('highlight');
      if (message.own) el.classList.add('own');
      el.appendChild(messageEl);
      if (this.seen?.messageId === message.id && this.seen.names.length > 0) {
        el.appendChild(h('div', { className: 'seen-by' }, icon('eye'), h('span', {}, `Seen by ${this.seen.names.join(', ')}`)));
      }
    }
    setTabbable(el, row.key === this.currentActive());
    return el;
  }

  /** A guess from the text's length and the decorations; real heights replace it once rendered. */
  private estimate(index: number, width: number): number {
    const row = this.rows.at(index)!;
    const d = this.rows.decorations(index);
    let height = d.day ? 31 : 0;
    if (row.card) return height + 90;
    const message = row.message!;
    if (d.divider) height += 26;
    if (d.header) height += 30;
    const perLine = Math.max(20, Math.floor((width - 90) / 7.2));
    const text = message.deleted ? '' : message.text;
    let lines = Math.max(1, Math.ceil(text.length / perLine));
    if (text.length < 4000) for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
    if (message.code) lines = Math.min(lines, 17) + 2;
    height += 2 + lines * LINE_PX;
    if (message.reactions?.length) height += 28;
    if (message.replies?.count) height += 24;
    // A row of thumbnails (attachmentView.ts: at most 240 high) and their captions.
    if (message.attachments?.length && !message.deleted) height += 200;
    return height;
  }

  // ---------------------------------------------------------------- keyboard

  private currentActive(): string | undefined {
    if (this.activeKey !== undefined && this.rows.indexOf(this.activeKey) !== undefined) return this.activeKey;
    const last = this.rows.count - 1;
    return last >= 0 ? this.rows.at(last)!.key : undefined;
  }

  private setActive(key: string): void {
    const old = this.currentActive();
    this.activeKey = key;
    if (old === key) return;
    const oldEl = old === undefined ? undefined : this.virtual.element(old);
    if (oldEl) setTabbable(oldEl, false);
    const el = this.virtual.element(key);
    if (el) setTabbable(el, true);
    if (old !== undefined) this.virtual.pin(old, false);
    this.virtual.pin(key, true);
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (!target.matches('.message, .file-card')) return;
    const row = target.closest<HTMLElement>('.vrow');
    const index = row?.dataset.key === undefined ? undefined : this.rows.indexOf(row.dataset.key);
    if (index === undefined) return;
    let next: number;
    switch (event.key) {
      case 'ArrowUp':
        next = index - 1;
        break;
      case 'ArrowDown':
        next = index + 1;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this.rows.count - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    if (next < 0 || next >= this.rows.count) return;
    this.focusRow(this.rows.at(next)!.key);
  }

  /** Moves the keyboard focus to a row, bringing it into view. */
  focusRow(key: string): void {
    this.setActive(key);
    this.virtual.scrollToKey(key, 'nearest');
    this.virtual.element(key)?.querySelector<HTMLElement>('.message, .file-card')?.focus();
  }

  /** The focus into the list: the current row. */
  focus(): void {
    const key = this.currentActive();
    if (key !== undefined) this.focusRow(key);
  }
}

/** Only the current row's message and buttons are on the Tab path. */
function setTabbable(row: HTMLElement, on: boolean): void {
  const value = on ? '0' : '-1';
  for (const el of row.querySelectorAll<HTMLElement>('.message, .file-card, button')) el.setAttribute('tabindex', value);
}
