import type { ConversationMessage } from '../../model/conversationTypes';
import { h } from './dom';
import { type MessageActions, daySeparator, groupHeader, messageElement } from './messageView';
import { GROUP_GAP_MS, sameDay } from './time';

/**
 * The messages of the selected conversation, grouped: consecutive messages from one sender
 * within GROUP_GAP_MS share a header, and a separator starts every day. A new message is
 * appended (so the polite live region announces just it); a changed one (state, or its id
 * after the relay's ack) is replaced where it stands. A whole new list builds a fresh log
 * element, which screen readers do not read out as news.
 */
export class MessageList {
  private messages: ConversationMessage[] = [];
  private readonly elements = new Map<string, HTMLElement>();
  /** The body of the last group, where a message from the same sender goes next. */
  private lastGroupBody: HTMLElement | undefined;
  private selfName = '';

  constructor(
    private log: HTMLElement,
    private readonly actions: MessageActions,
  ) {}

  setSelfName(name: string): void {
    this.selfName = name;
  }

  get length(): number {
    return this.messages.length;
  }

  render(messages: ConversationMessage[]): void {
    const fresh = this.log.cloneNode(false) as HTMLElement;
    this.log.replaceWith(fresh);
    this.log = fresh;
    this.messages = [];
    this.elements.clear();
    this.lastGroupBody = undefined;
    for (const message of messages) this.append(message);
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
      this.render(this.messages.slice());
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

  private append(message: ConversationMessage): void {
    const prev = this.messages[this.messages.length - 1];
    const newDay = !prev || !sameDay(prev.ts, message.ts);
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
  }
}
