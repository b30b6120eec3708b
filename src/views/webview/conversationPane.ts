import type { ConversationView, FileCard } from '../chatProtocol';
import type { ConversationMessage } from '../../model/conversationTypes';
import { KIND_ICON } from './conversationList';
import { append, byId, h, icon } from './dom';
import { type ListActions, MessageList } from './messageList';
import type { ScrollSpot } from './uiState';

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 24;

export interface PaneEvents extends ListActions {
  loadOlder(): void;
  /** The user scrolled the selected conversation (debounced to a frame). */
  scrolled(spot: ScrollSpot): void;
}

/**
 * The right side: the selected conversation's header, its messages and "Load older". Keeps
 * the view pinned to the newest message while the user is at the bottom, and still when older
 * messages are put in above.
 */
export class ConversationPane {
  private readonly header = byId('conversation-header');
  private readonly scroller = byId('messages');
  private readonly older = byId('older');
  private readonly loadOlderButton = byId<HTMLButtonElement>('load-older');
  private readonly empty = byId('empty');
  private readonly list: MessageList;
  private view: ConversationView | undefined;
  private scrollQueued = false;

  constructor(events: PaneEvents) {
    this.list = new MessageList(byId('log'), events);
    this.loadOlderButton.addEventListener('click', () => {
      this.loadOlderButton.disabled = true;
      this.loadOlderButton.setAttribute('aria-busy', 'true');
      events.loadOlder();
    });
    this.scroller.addEventListener('scroll', () => {
      if (this.scrollQueued) return;
      this.scrollQueued = true;
      requestAnimationFrame(() => {
        this.scrollQueued = false;
        if (this.view) events.scrolled(this.spot());
      });
    });
    this.showNothing();
  }

  get conversationId(): string | undefined {
    return this.view?.id;
  }

  setSelfName(name: string): void {
    this.list.setSelfName(name);
  }

  /** A conversation to show: a new one (scroll to `restore`), or the same one again (more, older messages). */
  show(view: ConversationView, restore: ScrollSpot | undefined): void {
    const same = this.view?.id === view.id;
    const atBottom = this.atBottom();
    const anchor = this.anchor();
    this.view = view;
    this.renderHeader(view);
    this.older.hidden = !view.hasOlder;
    this.loadOlderButton.disabled = false;
    this.loadOlderButton.removeAttribute('aria-busy');
    this.list.render(view.messages, view.cards);
    this.updateEmpty();
    if (same) {
      if (atBottom) this.scrollToBottom();
      else this.restoreAnchor(anchor);
    } else if (restore === undefined || restore === 'bottom') {
      this.scrollToBottom();
    } else {
      this.scroller.scrollTop = restore;
    }
  }

  showNothing(): void {
    this.view = undefined;
    this.header.replaceChildren(h('span', { className: 'header-title muted' }, 'No conversation selected'));
    this.older.hidden = true;
    this.list.render([]);
    this.updateEmpty();
  }

  /** A new or changed message in the shown conversation. */
  upsert(message: ConversationMessage, previousId?: string): void {
    if (!this.view) return;
    const atBottom = this.atBottom();
    const anchor = this.anchor();
    const result = this.list.upsert(message, previousId);
    this.updateEmpty();
    if (atBottom || (result === 'added' && message.own)) this.scrollToBottom();
    else this.restoreAnchor(anchor);
  }

  /** A new or changed file card in the shown conversation. */
  upsertCard(card: FileCard): void {
    if (!this.view || card.conversationId !== this.view.id) return;
    const atBottom = this.atBottom();
    const anchor = this.anchor();
    const result = this.list.upsertCard(card);
    this.updateEmpty();
    if (atBottom || (result === 'added' && card.direction === 'out')) this.scrollToBottom();
    else this.restoreAnchor(anchor);
  }

  atBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
  }

  scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** The first message in view and how far it is from the top, to keep it there across a re-render. */
  private anchor(): { id: string; offset: number } | undefined {
    const top = this.scroller.getBoundingClientRect().top;
    for (const el of this.scroller.querySelectorAll<HTMLElement>('.message')) {
      const rect = el.getBoundingClientRect();
      if (rect.bottom > top && el.dataset.messageId !== undefined) return { id: el.dataset.messageId, offset: rect.top - top };
    }
    return undefined;
  }

  private restoreAnchor(anchor: { id: string; offset: number } | undefined): void {
    if (!anchor) return;
    const el = this.scroller.querySelector(`.message[data-message-id="${CSS.escape(anchor.id)}"]`);
    if (!el) return;
    const top = this.scroller.getBoundingClientRect().top;
    this.scroller.scrollTop += el.getBoundingClientRect().top - top - anchor.offset;
  }

  /** Where the user is: pinned to the bottom, or a pixel offset. */
  private spot(): ScrollSpot {
    return this.atBottom() ? 'bottom' : Math.round(this.scroller.scrollTop);
  }

  private renderHeader(view: ConversationView): void {
    const members = view.memberNames.join(', ');
    this.header.replaceChildren();
    append(
      this.header,
      icon(KIND_ICON[view.kind], 'header-icon'),
      h('h1', { className: 'header-title', attrs: { title: members || view.title } }, view.title),
      view.kind !== 'peer' && members !== '' && h('span', { className: 'header-members', attrs: { title: members } }, members),
    );
  }

  private updateEmpty(): void {
    const nothing = this.list.length === 0;
    this.empty.hidden = !nothing;
    if (!nothing) return;
    if (!this.view) this.empty.textContent = 'Select a conversation to start chatting.';
    else if (this.view.hasOlder) this.empty.textContent = '';
    else this.empty.textContent = `No messages yet. Say hello to ${this.view.title}.`;
  }
}
