import type { MessageView } from '../chatProtocol';
import { byId, h } from './dom';
import { InlineEditor } from './inlineEditor';
import { MessageRows } from './messageRows';
import { type MessageActions, groupHeader, messageElement } from './messageView';
import { tidy } from './composer';
import { UrgentToggle } from './composerUrgent';

export interface ThreadEvents extends Omit<MessageActions, 'openThread' | 'startEdit'> {
  /** `urgent`: the thread's Urgent toggle was on (it is off again now). `text` may be empty
   *  when images wait in the thread's tray (they go with it). */
  reply(conversationId: string, parentId: string, text: string, urgent: boolean): void;
  /** Images are ready in the thread's tray: a reply may go without text. */
  hasAttachments(): boolean;
  edit(messageId: string, text: string): void;
  loadOlder(conversationId: string, parentId: string, beforeId: string): void;
  /** Show the thread's parent in the conversation (scrolled to and highlighted). */
  showParent(conversationId: string, parentId: string): void;
  /** The pane opened on a thread (the side pane must show before anything in it can take the focus). */
  shown(conversationId: string, parentId: string): void;
  /** The pane closed (Escape, its close button): the focus goes back to the conversation. */
  closed(): void;
}

/**
 * The thread beside the conversation: the parent message, its replies (oldest first; earlier
 * ones on request) and a composer of its own. Replies arriving live are added; the parent and
 * replies change in place. Escape or the close button closes it. Threads are short enough to
 * render whole.
 */
export class ThreadPane {
  private readonly pane = byId('thread-pane');
  private readonly context = byId('thread-context');
  private readonly parentEl = byId('thread-parent');
  private readonly repliesEl = byId('thread-replies');
  private readonly olderEl = byId('thread-older');
  private readonly status = byId('thread-status');
  private readonly input = byId<HTMLTextAreaElement>('thread-input');
  private readonly sendButton = byId<HTMLButtonElement>('thread-send');
  private readonly urgent = new UrgentToggle(this.sendButton.parentElement!, this.sendButton);
  private readonly replies = new MessageRows();
  private parent: MessageView | undefined;
  private editor: InlineEditor | undefined;
  private selfName = '';
  private open: { conversationId: string; parentId: string; title: string } | undefined;
  private readonly actions: MessageActions;

  constructor(private readonly events: ThreadEvents) {
    this.actions = { ...events, openThread: () => undefined, startEdit: (id) => this.startEdit(id) };
    byId('thread-close').addEventListener('click', () => this.close());
    byId('thread-show-parent').addEventListener('click', () => {
      if (this.open) events.showParent(this.open.conversationId, this.open.parentId);
    });
    byId('thread-load-older').addEventListener('click', () => {
      const first = this.replies.firstMessage;
      if (this.open && first) events.loadOlder(this.open.conversationId, this.open.parentId, first.id);
    });
    this.pane.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        this.close();
      }
    });
    this.input.addEventListener('keydown', (event) => this.onComposerKey(event));
    this.input.addEventListener('input', () => this.refreshComposer());
    this.sendButton.addEventListener('click', () => this.send());
  }

  get isOpen(): boolean {
    return this.open !== undefined;
  }

  get conversationId(): string | undefined {
    return this.open?.conversationId;
  }

  get parentId(): string | undefined {
    return this.open?.parentId;
  }

  setSelfName(name: string): void {
    this.selfName = name;
  }

  /** Opens on a parent (shown at once if the conversation holds it); the replies follow from the extension. */
  show(conversationId: string, parentId: string, parent: MessageView | undefined, title: string): void {
    const same = this.open?.conversationId === conversationId && this.open.parentId === parentId;
    this.open = { conversationId, parentId, title };
    this.pane.hidden = false;
    this.context.textContent = title;
    if (!same) {
      this.editor = undefined;
      this.parent = parent;
      this.replies.reset([], []);
      this.input.value = '';
      this.urgent.reset(true);
      this.olderEl.hidden = true;
      this.status.textContent = 'Loading replies…';
    } else if (parent) this.parent = parent;
    this.render();
    this.refreshComposer();
    this.events.shown(conversationId, parentId);
    this.input.focus();
  }

  /** The extension's answer: the replies (and the parent, when it has it). */
  setReplies(parentId: string, parent: MessageView | undefined, replies: MessageView[], hasOlder: boolean, older: boolean, focusId?: string): void {
    if (this.open?.parentId !== parentId) return;
    if (parent) this.parent = parent;
    if (older) this.replies.prepend(replies);
    else this.replies.reset(replies, []);
    this.olderEl.hidden = !hasOlder;
    this.status.textContent = '';
    this.render();
    if (focusId !== undefined) this.highlight(focusId);
    else if (!older) this.repliesEl.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }

  loadFailed(error: string): void {
    this.status.textContent = `Could not load the replies: ${error}`;
  }

  /** A new or changed reply (`onlyHeld`: changed only), or the parent changed; false when it is not this thread's. */
  upsert(message: MessageView, previousId?: string, onlyHeld = false): boolean {
    if (!this.open) return false;
    if (message.id === this.open.parentId) {
      this.parent = message;
      this.render();
      return true;
    }
    const known = this.replies.indexOfMessage(message.id) !== undefined || (previousId !== undefined && this.replies.indexOfMessage(previousId) !== undefined);
    if ((message.thread !== this.open.parentId || onlyHeld) && !known) return false;
    if (this.editor?.messageId === message.id && message.deleted) this.editor = undefined;
    const result = this.replies.upsert(message, previousId);
    this.render();
    if (result === 'added') this.repliesEl.lastElementChild?.scrollIntoView({ block: 'nearest' });
    return true;
  }

  message(id: string): MessageView | undefined {
    return id === this.parent?.id ? this.parent : this.replies.message(id);
  }

  /** A reply the extension could not keep: back into the box. */
  restore(text: string): void {
    const current = this.input.value;
    this.input.value = current.trim() === '' ? text : `${text}\n${current}`;
    this.refreshComposer();
  }

  close(): void {
    if (!this.open) return;
    this.open = undefined;
    this.editor = undefined;
    this.pane.hidden = true;
    this.events.closed();
  }

  focus(): void {
    this.input.focus();
  }

  private render(): void {
    const context = { selfName: this.selfName, actions: this.actions, inThread: true };
    this.parentEl.replaceChildren(...(this.parent ? [groupHeader(this.parent, this.selfName), messageElement(this.parent, context)] : []));
    const els: HTMLElement[] = [];
    for (let i = 0; i < this.replies.count; i++) {
      const message = this.replies.at(i)!.message!;
      const row = h('div', { className: `row${message.own ? ' own' : ''}` });
      if (this.replies.decorations(i).header) {
        row.classList.add('group-start');
        row.appendChild(groupHeader(message, this.selfName));
      }
      const editing = this.editor?.messageId === message.id;
      row.appendChild(messageElement(message, { ...context, editor: editing ? this.editor!.el : undefined }));
      els.push(row);
    }
    const count = this.replies.count;
    if (count > 0) els.unshift(h('div', { className: 'thread-count-line' }, `${count} ${count === 1 ? 'reply' : 'replies'}`));
    this.repliesEl.replaceChildren(...els);
  }

  private highlight(id: string): void {
    const el = this.repliesEl.querySelector<HTMLElement>(`.message[data-message-id="${CSS.escape(id)}"]`);
    if (!el) return;
    el.classList.add('highlight');
    el.scrollIntoView({ block: 'center' });
  }

  private startEdit(messageId: string): void {
    const message = this.message(messageId);
    if (!message?.own || message.deleted) return;
    this.editor = new InlineEditor(
      messageId,
      message.text,
      (text) => {
        this.upsert({ ...message, text, edited: Date.now() });
        this.events.edit(messageId, text);
        this.endEdit();
      },
      () => this.endEdit(),
    );
    this.render();
    this.editor.focus();
  }

  private endEdit(): void {
    this.editor = undefined;
    this.render();
    this.input.focus();
  }

  private onComposerKey(event: KeyboardEvent): void {
    if (event.key === 'ArrowUp' && this.input.value === '' && !event.shiftKey) {
      const last = this.replies.lastEditable();
      if (last) {
        event.preventDefault();
        this.startEdit(last.id);
      }
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.send();
  }

  private send(): void {
    const text = tidy(this.input.value);
    if (!this.open || (text === '' && !this.events.hasAttachments())) return;
    this.events.reply(this.open.conversationId, this.open.parentId, text, this.urgent.take());
    this.input.value = '';
    this.refreshComposer();
    this.input.focus();
  }

  /** The thread's tray changed: the Send button follows. */
  attachmentsChanged(): void {
    this.refreshComposer();
  }

  private refreshComposer(): void {
    this.sendButton.disabled = this.input.value.trim() === '' && !this.events.hasAttachments();
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 160)}px`;
  }
}
