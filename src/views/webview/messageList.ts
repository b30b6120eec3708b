import type { FileCard } from '../chatProtocol';
import type { ConversationMessage } from '../../model/conversationTypes';
import { h } from './dom';
import { type FileCardActions, fileCardElement, updateFileCard } from './fileCardView';
import { type MessageActions, daySeparator, groupHeader, messageElement } from './messageView';
import { GROUP_GAP_MS, sameDay } from './time';

export interface ListActions extends MessageActions, FileCardActions {}

/**
 * The messages of the selected conversation, grouped: consecutive messages from one sender
 * within GROUP_GAP_MS share a header, and a separator starts every day. File cards sit among
 * them by time and end a group. A new message or card is appended (so the polite live region
 * announces just it); a changed one (state, or its id after the relay's ack) is replaced where
 * it stands. A whole new list builds a fresh log element, which screen readers do not read out
 * as news.
 */
export class MessageList {
  private messages: ConversationMessage[] = [];
  private readonly elements = new Map<string, HTMLElement>();
  private readonly cards = new Map<string, { card: FileCard; el: HTMLElement }>();
  /** The body of the last group, where a message from the same sender goes next. */
  private lastGroupBody: HTMLElement | undefined;
  /** The time of the last message or card appended (for day separators). */
  private lastTs: number | undefined;
  private selfName = '';

  constructor(
    private log: HTMLElement,
    private readonly actions: ListActions,
  ) {}

  setSelfName(name: string): void {
    this.selfName = name;
  }

  get length(): number {
    return this.messages.length + this.cards.size;
  }

  render(messages: ConversationMessage[], cards: FileCard[] = []): void {
    const fresh = this.log.cloneNode(false) as HTMLElement;
    this.log.replaceWith(fresh);
    this.log = fresh;
    this.messages = [];
    this.elements.clear();
    this.cards.clear();
    this.lastGroupBody = undefined;
    this.lastTs = undefined;
    // Both lists are in time order: merge them, a message before a card of the same moment.
    const sorted = [...cards].sort((a, b) => a.ts - b.ts);
    let c = 0;
    for (const message of messages) {
      while (c < sorted.length && sorted[c].ts < message.ts) this.appendCard(sorted[c++]);
      this.append(message);
    }
    while (c < sorted.length) this.appendCard(sorted[c++]);
  }

  /** Adds or updates a message (found by its id, the id it had before, or its ref); 'added'
   *  when it is new (it went to the end). */
  upsert(message: ConversationMessage, previousId?: string): 'added' | 'updated' {
    const index = this.messages.findIndex(
      (m) => m.id === message.id || (previousId !== undefined && m.id === previousId) || (message.ref !== undefined && m.own && m.ref === message.ref),
    );
    if (index < 0) {
      this.append(message);
      return 'added';
    }
    const old = this.messages[index]!;
    const oldEl = this.elements.get(old.id);
    const staysInPlace = old.from === message.from && sameDay(old.ts, message.ts) && Math.abs(old.ts - message.ts) < 60_000;
    if (!oldEl || !staysInPlace) {
      this.messages[index] = message;
      this.rerender();
      return 'updated';
    }
    this.messages[index] = message;
    const el = messageElement(message, this.selfName, this.actions);
    this.elements.delete(old.id);
    this.elements.set(message.id, el);
    const groupBody = oldEl.parentElement;
    if (groupBody?.firstElementChild === oldEl) {
      // The group's header shows its first message's time: keep it in step.
      groupBody.previousElementSibling?.replaceWith(groupHeader(message, this.selfName));
    }
    oldEl.replaceWith(el);
    return 'updated';
  }

  /** Adds or updates a file card; 'added' when it is new. */
  upsertCard(card: FileCard): 'added' | 'updated' {
    const held = this.cards.get(card.id);
    if (held) {
      updateFileCard(held.el, held.card, card, this.actions);
      held.card = card;
      return 'updated';
    }
    if (this.lastTs === undefined || card.ts >= this.lastTs) this.appendCard(card);
    else this.rerender([card]);
    return 'added';
  }

  private rerender(extraCards: FileCard[] = []): void {
    this.render(this.messages.slice(), [...[...this.cards.values()].map((c) => c.card), ...extraCards]);
  }

  private append(message: ConversationMessage): void {
    const prev = this.messages[this.messages.length - 1];
    const newDay = this.lastTs === undefined || !sameDay(this.lastTs, message.ts);
    const newGroup = newDay || !this.lastGroupBody || prev.from !== message.from || prev.own !== message.own || Math.abs(message.ts - prev.ts) > GROUP_GAP_MS;
    if (newDay) this.log.appendChild(daySeparator(message.ts));
    if (newGroup) {
      this.lastGroupBody = h('div', { className: 'group-body' });
      this.log.appendChild(h('div', { className: `message-group${message.own ? ' own' : ''}` }, groupHeader(message, this.selfName), this.lastGroupBody));
    }
    const el = messageElement(message, this.selfName, this.actions);
    this.lastGroupBody!.appendChild(el);
    this.messages.push(message);
    this.elements.set(message.id, el);
    this.lastTs = message.ts;
  }

  private appendCard(card: FileCard): void {
    if (this.lastTs === undefined || !sameDay(this.lastTs, card.ts)) this.log.appendChild(daySeparator(card.ts));
    const el = fileCardElement(card, this.actions);
    this.log.appendChild(el);
    this.cards.set(card.id, { card, el });
    // A card ends the group: the next message shows who wrote it again.
    this.lastGroupBody = undefined;
    this.lastTs = card.ts;
  }
}
