import type { ConversationView, FileCard, MessageView, SeenView } from '../chatProtocol';
import { kindIcon } from './conversationList';
import { append, button, byId, h, icon } from './dom';
import { type ListActions, MessageList } from './messageList';
import type { ScrollSpot } from './uiState';
import type { Anchor } from './virtualList';

/** Ask for the next page while fewer than this many rows lie beyond the rendered window. */
const PREFETCH_ROWS = 30;
/** Further than this many screens from the end shows "Latest". */
const FAR_SCREENS = 1.5;

export interface PaneEvents extends ListActions {
  /** Older messages than `beforeId` (none held: the newest page). */
  loadOlder(beforeId: string | undefined): void;
  loadNewer(afterId: string): void;
  /** The user scrolled the selected conversation (debounced to a frame). */
  scrolled(spot: ScrollSpot): void;
  /** "Latest" while the newest messages are not held (after a jump): show the conversation afresh. */
  showLatest(): void;
  openSearch(): void;
  /** The conversation's Notifications… (All Messages, Mentions Only, Mute). */
  notificationSettings(): void;
}

type Loading = 'idle' | 'loading' | 'failed' | 'done';

/**
 * The right side: the selected conversation's header and its messages. Scrolling near the
 * top asks for older messages (the extension takes them from the store, then from the relay),
 * near the bottom after a jump into history for newer ones; what the reader looks at stays put
 * as pages come in.
 */
export class ConversationPane {
  private readonly header = byId('conversation-header');
  private readonly scroller = byId('messages');
  private readonly log = byId('log');
  private readonly empty = byId('empty');
  private readonly status = byId('history-status');
  private readonly latest = byId<HTMLButtonElement>('jump-latest');
  private readonly list: MessageList;
  private view: ConversationView | undefined;
  private older: Loading = 'done';
  private newer: Loading = 'done';
  private olderError = '';
  private scrollQueued = false;

  constructor(private readonly events: PaneEvents) {
    this.list = new MessageList(this.scroller, this.log, events, (first, last) => this.onRendered(first, last));
    this.scroller.addEventListener('scroll', () => {
      if (this.scrollQueued) return;
      this.scrollQueued = true;
      requestAnimationFrame(() => {
        this.scrollQueued = false;
        if (!this.view) return;
        events.scrolled(this.spot());
        this.updateLatest();
      });
    });
    this.latest.addEventListener('click', () => {
      if (this.newer !== 'done') events.showLatest();
      else this.list.scrollToBottom();
      this.updateLatest();
    });
    this.showNothing();
  }

  get conversationId(): string | undefined {
    return this.view?.id;
  }

  get title(): string {
    return this.view?.title ?? '';
  }

  get messages(): MessageList {
    return this.list;
  }

  setSelfName(name: string): void {
    this.list.setSelfName(name);
  }

  /**
   * A conversation to show: a new one (at `restore`, else at the bottom), the same one again
   * (kept where the reader is, older pages the webview loaded kept too), or a jump (`focusId`).
   */
  show(view: ConversationView, restore: ScrollSpot | undefined): void {
    const same = this.view?.id === view.id;
    let messages = view.messages;
    let hasOlder = view.hasOlder;
    if (same && view.focusId === undefined && this.newer === 'done' && messages.length > 0) {
      // Pages loaded earlier stay above the store's messages: the reader may be among them.
      const from = this.list.rows.indexOfMessage(messages[0]!.id);
      if (from !== undefined && from > 0) {
        const kept: MessageView[] = [];
        for (let i = 0; i < from; i++) {
          const m = this.list.rows.at(i)!.message;
          if (m) kept.push(m);
        }
        messages = [...kept, ...messages];
        hasOlder = this.older !== 'done';
      }
    }
    const at: Anchor | undefined = same ? this.list.position : typeof restore === 'object' ? restore : undefined;
    this.view = view;
    this.older = hasOlder ? 'idle' : 'done';
    this.newer = view.hasNewer ? 'idle' : 'done';
    this.renderHeader(view);
    this.list.render(messages, view.cards, { firstUnreadId: view.firstUnreadId, seen: view.seen, at, focusId: view.focusId });
    this.updateStatus();
    this.updateEmpty();
    this.updateLatest();
    if (this.list.length === 0 && this.older === 'idle') this.requestOlder();
  }

  showNothing(): void {
    this.view = undefined;
    this.older = 'done';
    this.newer = 'done';
    this.header.replaceChildren(h('span', { className: 'header-title muted' }, 'No conversation selected'));
    this.list.render([], []);
    this.updateStatus();
    this.updateEmpty();
    this.updateLatest();
  }

  /** A new or changed message (a live one goes at the end, unless the newest are not held yet). */
  upsert(message: MessageView, previousId?: string): 'added' | 'updated' | 'ignored' {
    if (!this.view) return 'ignored';
    const wasAtBottom = this.list.atBottom;
    const result = this.list.upsert(message, previousId, this.newer !== 'done');
    this.updateEmpty();
    if (result === 'added' && message.own && !wasAtBottom) this.list.scrollToBottom();
    this.updateLatest();
    return result;
  }

  /** A message changed: replaced if held. */
  update(message: MessageView): void {
    if (this.view) this.list.upsert(message, undefined, true);
  }

  addOlder(messages: MessageView[], hasOlder: boolean): void {
    this.list.prepend(messages);
    this.older = hasOlder ? 'idle' : 'done';
    this.updateStatus();
    this.updateEmpty();
  }

  addNewer(messages: MessageView[], hasNewer: boolean): void {
    this.list.append(messages);
    this.newer = hasNewer ? 'idle' : 'done';
    this.updateStatus();
    this.updateLatest();
  }

  loadFailed(what: 'older' | 'newer', error: string): void {
    if (what === 'older') {
      this.older = 'failed';
      this.olderError = error;
    } else this.newer = 'failed';
    this.updateStatus();
    this.updateEmpty();
  }

  upsertCard(card: FileCard): void {
    if (!this.view || card.conversationId !== this.view.id) return;
    const wasAtBottom = this.list.atBottom;
    const result = this.list.upsertCard(card);
    this.updateEmpty();
    if (result === 'added' && card.direction === 'out' && !wasAtBottom) this.list.scrollToBottom();
  }

  setSeen(seen: SeenView | undefined): void {
    if (this.view) this.list.setSeen(seen);
  }

  /** Where the user is: pinned to the bottom, or a row and how far into it. */
  private spot(): ScrollSpot {
    const at = this.list.position;
    return at ? { key: at.key, offset: Math.round(at.offset) } : 'bottom';
  }

  private onRendered(first: number, last: number): void {
    if (!this.view) return;
    if (first < PREFETCH_ROWS && this.older === 'idle') this.requestOlder();
    if (last >= this.list.length - PREFETCH_ROWS && this.newer === 'idle') {
      const newest = this.list.rows.lastMessage;
      if (newest) {
        this.newer = 'loading';
        this.events.loadNewer(newest.id);
        this.updateStatus();
      }
    }
  }

  private requestOlder(): void {
    this.older = 'loading';
    this.events.loadOlder(this.list.rows.firstMessage?.id);
    this.updateStatus();
    this.updateEmpty();
  }

  /** "Loading older messages…", or why it failed with Retry. */
  private updateStatus(): void {
    const loading = this.older === 'loading' || this.newer === 'loading';
    this.log.setAttribute('aria-busy', String(loading));
    if (this.older === 'failed' || this.newer === 'failed') {
      const what = this.older === 'failed' ? 'older' : 'newer';
      this.status.hidden = false;
      this.status.className = 'history-status failed';
      this.status.replaceChildren(
        icon('warning'),
        h('span', {}, `Could not load ${what} messages${this.olderError && what === 'older' ? `: ${this.olderError}` : ''}.`),
        button('link-button', `Retry loading ${what} messages`, ['Retry'], () => {
          if (what === 'older') this.requestOlder();
          else {
            this.newer = 'idle';
            this.onRendered(this.list.length, this.list.length);
          }
        }),
      );
      return;
    }
    this.status.hidden = !loading;
    this.status.className = 'history-status';
    this.status.replaceChildren(
      icon('loading', 'codicon-modifier-spin'),
      h('span', {}, this.older === 'loading' ? 'Loading older messages…' : 'Loading newer messages…'),
    );
  }

  /** "Latest" when the reader is far up, or the newest messages are not held (after a jump). */
  private updateLatest(): void {
    const s = this.scroller;
    const far = s.scrollHeight - s.scrollTop - s.clientHeight > s.clientHeight * FAR_SCREENS;
    this.latest.hidden = !this.view || (this.newer === 'done' && !far);
  }

  private renderHeader(view: ConversationView): void {
    const members = view.memberNames.join(', ');
    const channel = view.kind === 'channel';
    this.header.replaceChildren();
    const count = view.memberCount ?? view.memberNames.length + (channel ? 0 : 1);
    append(
      this.header,
      icon(kindIcon(view.kind, view.private), 'header-icon'),
      h('h1', { className: 'header-title', attrs: { title: members || view.title } }, channel ? view.title.replace(/^#/, '') : view.title),
      view.archived && h('span', { className: 'header-tag' }, 'archived'),
      channel && view.topic ? h('span', { className: 'header-topic', attrs: { title: view.topic } }, view.topic) : h('span', { className: 'header-topic' }),
      !channel && view.kind === 'group' && members !== '' && h('span', { className: 'header-members', attrs: { title: members } }, members),
      channel &&
        view.memberCount !== undefined &&
        h(
          'span',
          { className: 'header-count', attrs: { title: members || `${count} members`, 'aria-label': `${count} member${count === 1 ? '' : 's'}` } },
          icon('person'),
          String(count),
        ),
      button('icon-button', 'Search messages', [icon('search')], () => this.events.openSearch()),
      notifyButton(view.notify, () => this.events.notificationSettings()),
    );
  }

  private updateEmpty(): void {
    const nothing = this.list.length === 0;
    this.empty.hidden = !nothing;
    if (!nothing) return;
    if (!this.view) this.empty.textContent = 'Select a conversation to start chatting.';
    else if (this.older === 'loading') this.empty.textContent = '';
    else this.empty.textContent = `No messages yet. Say hello to ${this.view.title}.`;
  }
}

const NOTIFY_LOOK = {
  all: { codicon: 'bell', words: 'All Messages' },
  mentions: { codicon: 'mention', words: 'Mentions Only' },
  muted: { codicon: 'bell-slash', words: 'Muted' },
} as const;

/** The header's bell: how the conversation notifies, and a click to change it. */
function notifyButton(level: ConversationView['notify'], onClick: () => void): HTMLButtonElement {
  const look = NOTIFY_LOOK[level ?? 'all'];
  return button('icon-button', `Notifications: ${look.words}`, [icon(look.codicon)], onClick, `Notifications: ${look.words}…`);
}
