import type { MessageView, ToWebview } from './chatProtocol';
import { conversationView, messageView, messageViews, type ViewModel, withoutCardRecords } from './chatViews';
import { seqOfMessageId } from '../net/protocol/conversationKeys';
import { conversationKeyFor } from '../model/conversationIds';
import type { ConversationId, ConversationMessage, MessageExtras } from '../model/conversationTypes';
import type { FileCards } from '../model/fileCards';
import { formatMessageLink, isRelayMessageId } from '../model/messageLinks';
import type { MessengerModel } from '../model/messengerModel';

/** Messages per page, from the store or the relay (the relay's limit is 500). */
export const PAGE = 200;
/** Search hits remembered, to open a hit that is a thread reply in its thread. */
const REMEMBERED_HITS = 1000;

export type RequestModel = ViewModel &
  Pick<MessengerModel, 'loadHistory' | 'threadReplies' | 'searchMessages' | 'editMessage' | 'deleteMessage' | 'react' | 'reply'>;

/** Where Copy Link puts its link: the clipboard, the scheme VS Code opens, and a word that it did. */
export interface LinkClipboard {
  /** vscode.env.uriScheme: `vscode`, `vscode-insiders`, … */
  readonly uriScheme: string;
  write(text: string): PromiseLike<void>;
  copied(): void;
}

/**
 * What the chat panel asks of the model on the webview's behalf and answers asynchronously:
 * older and newer pages (the store first, then the relay), threads, jumps to a message, search,
 * and edits, deletes and reactions (a refusal is said, and what the webview showed early is put
 * back). Every answer names its conversation; the webview drops answers it no longer wants.
 */
export class ChatRequests {
  /** Thread parents of recent search hits that were replies (a jump opens their thread). */
  private readonly hitThreads = new Map<string, string>();

  constructor(
    private readonly model: RequestModel,
    private readonly cards: Pick<FileCards, 'cardsOf'>,
    private readonly post: (message: ToWebview) => void,
    private readonly clipboard: LinkClipboard,
  ) {}

  private view(message: ConversationMessage): MessageView {
    return messageView(message, this.model);
  }

  /** A page less the offer records whose file card is shown (the card stands for them), unless
   *  that leaves nothing for the webview to page on from while there is `more`. */
  private pageViews(conversationId: ConversationId, messages: readonly ConversationMessage[], more: boolean): MessageView[] {
    const shown = withoutCardRecords(messages, this.cards.cardsOf(conversationId));
    return messageViews(shown.length > 0 || !more ? shown : messages, this.model);
  }

  /** Messages before `beforeId` (none: the newest): the store's while it holds older ones, then the relay's. */
  async loadOlder(conversationId: ConversationId, beforeId: string | undefined): Promise<void> {
    const store = this.model.store;
    if (beforeId !== undefined && store.message(conversationId, beforeId)) {
      const page = store.page(conversationId, PAGE, beforeId);
      if (page.messages.length > 0) {
        this.post({ type: 'older', conversationId, messages: this.pageViews(conversationId, page.messages, true), hasOlder: page.hasOlder || this.online() });
        return;
      }
    }
    const before = beforeId === undefined ? undefined : seqOfMessageId(beforeId);
    if (beforeId !== undefined && before === undefined) {
      // Not a relay message (pending, or from an older relay history): nothing older to ask for.
      this.post({ type: 'older', conversationId, messages: [], hasOlder: false });
      return;
    }
    try {
      const page = await this.model.loadHistory(conversationId, { ...(before !== undefined ? { before } : {}), limit: PAGE });
      this.post({ type: 'older', conversationId, messages: this.pageViews(conversationId, page.messages, page.older), hasOlder: page.older });
    } catch (err) {
      this.post({ type: 'load-failed', conversationId, what: 'older', error: reason(err) });
    }
  }

  /** Messages after `afterId` (after a jump into history), up to the store's, which join the live ones. */
  async loadNewer(conversationId: ConversationId, afterId: string): Promise<void> {
    const held = this.model.store.get(conversationId)?.messages ?? [];
    const at = held.findIndex((m) => m.id === afterId);
    if (at >= 0) {
      this.post({ type: 'newer', conversationId, messages: this.pageViews(conversationId, held.slice(at + 1), false), hasNewer: false });
      return;
    }
    const after = seqOfMessageId(afterId);
    try {
      if (after === undefined) throw new Error('that message is not on the relay');
      const page = await this.model.loadHistory(conversationId, { after, limit: PAGE });
      const messages = page.newer ? page.messages : [...page.messages, ...newerThan(held, page.messages)];
      this.post({ type: 'newer', conversationId, messages: this.pageViews(conversationId, messages, page.newer), hasNewer: page.newer });
    } catch (err) {
      this.post({ type: 'load-failed', conversationId, what: 'newer', error: reason(err) });
    }
  }

  /** A thread: the replies held at once, then the relay's (`beforeId`: earlier replies than that one). */
  async openThread(conversationId: ConversationId, parentId: string, beforeId?: string, focusId?: string): Promise<void> {
    const store = this.model.store;
    const parentMessage = store.message(conversationId, parentId);
    const parent = parentMessage ? { parent: this.view(parentMessage) } : {};
    const focus = focusId !== undefined ? { focusId } : {};
    const held = this.model.threadReplies(conversationId, parentId);
    if (beforeId === undefined && held.length > 0) {
      this.post({ type: 'thread', conversationId, parentId, ...parent, replies: messageViews(held, this.model), hasOlder: true, ...focus });
    }
    const before = beforeId === undefined ? undefined : seqOfMessageId(beforeId);
    try {
      const page = await this.model.loadHistory(conversationId, { thread: parentId, ...(before !== undefined ? { before } : {}), limit: PAGE });
      const replies = beforeId === undefined ? merged(page.messages, held) : page.messages;
      this.post({
        type: 'thread',
        conversationId,
        parentId,
        ...parent,
        replies: messageViews(replies, this.model),
        hasOlder: page.older,
        ...(beforeId !== undefined ? { older: true } : {}),
        ...focus,
      });
    } catch (err) {
      if (beforeId === undefined && held.length > 0) {
        this.post({ type: 'thread', conversationId, parentId, ...parent, replies: messageViews(held, this.model), hasOlder: false, ...focus });
      } else this.post({ type: 'load-failed', conversationId, what: 'thread', error: reason(err) });
    }
  }

  /**
   * The conversation around `messageId`, highlighted: from the store when it holds it, else a
   * page of the relay's around it. A reply opens its parent, and its thread beside it (the parent
   * as the store or a search hit says, else `threadId`, what a link said). Resolves true when the
   * conversation was sent.
   */
  async jump(conversationId: ConversationId, messageId: string, threadId?: string): Promise<boolean> {
    const store = this.model.store;
    const parentId = store.message(conversationId, messageId)?.thread ?? this.hitThreads.get(messageId) ?? threadId;
    const target = parentId ?? messageId;
    const held = store.get(conversationId)?.messages ?? [];
    const cards = this.cards.cardsOf(conversationId);
    let sent = false;
    if (held.some((m) => m.id === target)) {
      this.post({
        type: 'conversation',
        conversation: conversationView(this.model, conversationId, { messages: held, hasOlder: this.online(), cards, focusId: target }),
      });
      sent = true;
    } else {
      try {
        const page = await this.model.loadHistory(conversationId, { around: target, limit: PAGE });
        const messages = page.newer ? page.messages : [...page.messages, ...newerThan(held, page.messages)];
        const focus = page.messages.some((m) => m.id === target) ? { focusId: target } : {};
        const view = conversationView(this.model, conversationId, { messages, hasOlder: page.older, hasNewer: page.newer, cards, ...focus });
        this.post({ type: 'conversation', conversation: view });
        sent = true;
      } catch (err) {
        this.post({ type: 'notice', text: `Could not open that message: ${reason(err)}` });
      }
    }
    if (sent && parentId !== undefined) await this.openThread(conversationId, parentId, undefined, messageId);
    return sent;
  }

  /** A search (`before`: the next page); each hit with its conversation's title. */
  async search(query: string, before: number | undefined): Promise<void> {
    const append = before !== undefined;
    try {
      const result = await this.model.searchMessages(query, before);
      for (const hit of result.hits) {
        if (hit.message.thread !== undefined) this.hitThreads.set(hit.message.id, hit.message.thread);
      }
      while (this.hitThreads.size > REMEMBERED_HITS) this.hitThreads.delete(this.hitThreads.keys().next().value as string);
      const hits = result.hits.map((h) => ({ conversationId: h.conversationId, title: h.title, message: this.view(h.message) }));
      this.post({ type: 'search-results', query, hits, more: result.more, append });
    } catch (err) {
      this.post({ type: 'search-results', query, hits: [], more: false, append, error: `Search failed: ${reason(err)}` });
    }
  }

  async edit(conversationId: ConversationId, messageId: string, text: string): Promise<void> {
    await this.change(conversationId, messageId, 'edit', () => this.model.editMessage(conversationId, messageId, text));
  }

  async remove(conversationId: ConversationId, messageId: string): Promise<void> {
    await this.change(conversationId, messageId, 'delete', () => this.model.deleteMessage(conversationId, messageId));
  }

  async react(conversationId: ConversationId, messageId: string, emoji: string, on: boolean): Promise<void> {
    await this.change(conversationId, messageId, on ? 'add the reaction to' : 'remove the reaction from', () =>
      this.model.react(conversationId, messageId, emoji, on),
    );
  }

  /** A reply; not kept (no connection yet) goes back into the thread's box. */
  reply(conversationId: ConversationId, parentId: string, text: string, extras?: MessageExtras): void {
    if (this.model.reply(conversationId, parentId, text, extras)) return;
    this.post({ type: 'unsent', conversationId, text, parentId });
    this.post({ type: 'notice', text: 'The reply was not sent: not connected to a relay yet.' });
  }

  /**
   * Copy Link: `<scheme>://<extension>/message?conv=<key>&id=<id>` (messageLinks.ts) on the
   * clipboard, made here from the conversation's relay key, never taken from the webview. A
   * reply's link names its thread (the store's word first), so it opens in its thread. A message
   * the relay has not given an id yet, or no identity yet, has no link: said so. Resolves the
   * link copied.
   */
  async copyLink(conversationId: ConversationId, messageId: string, threadId?: string): Promise<string | undefined> {
    const selfId = this.model.selfId;
    const thread = this.model.store.message(conversationId, messageId)?.thread ?? threadId;
    if (!selfId || !isRelayMessageId(messageId) || (thread !== undefined && !isRelayMessageId(thread))) {
      this.post({ type: 'notice', text: `Could not copy a link: ${selfId ? 'the message is not on the relay yet' : 'not connected to a relay yet'}.` });
      return undefined;
    }
    try {
      const link = formatMessageLink(
        { key: conversationKeyFor(conversationId, selfId), messageId, ...(thread !== undefined ? { threadId: thread } : {}) },
        this.clipboard.uriScheme,
      );
      await this.clipboard.write(link);
      this.clipboard.copied();
      return link;
    } catch (err) {
      this.post({ type: 'notice', text: `Could not copy a link: ${reason(err)}` });
      return undefined;
    }
  }

  /** Runs a change; when refused, says why and shows the message as the store has it again. */
  private async change(conversationId: ConversationId, messageId: string, what: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.post({ type: 'notice', text: `Could not ${what} the message: ${reason(err)}` });
      const held = this.model.store.message(conversationId, messageId);
      if (held) this.post({ type: 'updated', conversationId, message: this.view(held) });
    }
  }

  private online(): boolean {
    return this.model.connectionState === 'connected';
  }
}

/** The held messages newer than a relay page (so a page that reaches the present joins the live ones). */
function newerThan(held: readonly ConversationMessage[], page: readonly ConversationMessage[]): ConversationMessage[] {
  const last = page[page.length - 1];
  if (!last) return [...held];
  const ids = new Set(page.map((m) => m.id));
  const lastSeq = last.seq ?? -1;
  return held.filter((m) => !ids.has(m.id) && (m.seq === undefined ? m.ts >= last.ts : m.seq > lastSeq));
}

/** The relay's replies and those held (pending ones among them), once each, in order. */
function merged(page: readonly ConversationMessage[], held: readonly ConversationMessage[]): ConversationMessage[] {
  const ids = new Set(page.map((m) => m.id));
  const extra = held.filter((m) => !ids.has(m.id));
  if (extra.length === 0) return [...page];
  const order = (m: ConversationMessage) => m.seq ?? Number.MAX_SAFE_INTEGER;
  return [...page, ...extra].sort((a, b) => order(a) - order(b) || a.ts - b.ts);
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, 300);
}
