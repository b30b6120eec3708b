import type { MessageView, ReactionView } from '../chatProtocol';
import type { DeliveryState } from '../../model/conversationTypes';
import { attachmentList } from './attachmentView';
import type { CodeAction } from './codeActions';
import { locationBlock } from './locationLinks';
import { patchCard } from './patchView';
import { button, h, icon } from './dom';
import { highlightInto, messageText } from './formatting';
import { formatDay, formatFull, formatTime } from './time';

/**
 * The DOM for one message (its text or code, "(edited)", a tombstone, reactions, the reply
 * count of a thread's parent, the delivery state of the user's own, and the hover/focus
 * toolbar: react, reply in thread, copy link, edit, delete), one group header and one day
 * separator. Peer data goes into Text nodes (via `h`) and attribute values only.
 */

export interface MessageActions {
  retry(messageId: string): void;
  openCode(messageId: string): void;
  openThread(messageId: string): void;
  /** Toggle the user's reaction `emoji` on a message. */
  react(messageId: string, emoji: string, on: boolean): void;
  /** Open the emoji picker for a message, by the button that asked. */
  pickReaction(messageId: string, anchor: HTMLElement): void;
  startEdit(messageId: string): void;
  remove(messageId: string): void;
  /** Copy a link to the message (the extension makes it and puts it on the clipboard). */
  copyLink(messageId: string): void;
  /** Open a message's image or file (fetched from its author first when it is not here). */
  openAttachment(messageId: string, attachmentId: string): void;
  /** A patch's Preview/Apply, a `path:line` link in a terminal or problem block (issue 28). */
  codeAction?: CodeAction;
}

export interface MessageContext {
  selfName: string;
  actions: MessageActions;
  /** Shown in the thread pane: no "Reply in thread", no reply count. */
  inThread?: boolean;
  /** Put in place of the text while the message is being edited. */
  editor?: HTMLElement;
}

const STATE_ICON: Record<DeliveryState, string> = {
  pending: 'clock',
  sent: 'check',
  delivered: 'check-all',
  failed: 'error',
};

const STATE_LABEL: Record<DeliveryState, string> = {
  pending: 'Sending…',
  sent: 'Sent (recipients are offline)',
  delivered: 'Delivered',
  failed: 'Not sent',
};

export const TOMBSTONE = 'This message was deleted.';

/** Whether the relay has the message (it can be reacted to, replied to, edited). */
export function isStored(message: MessageView): boolean {
  return !message.id.startsWith('local:') && message.state !== 'pending' && message.state !== 'failed';
}

/**
 * One message. It starts with a visually hidden "bob, 14:05:" so a screen reader reading a
 * message in an existing group still says who wrote it (the group header is hidden from screen
 * readers for that reason).
 */
export function messageElement(message: MessageView, context: MessageContext): HTMLElement {
  const el = h(
    'div',
    {
      className: `message state-${message.state}${message.own ? ' own' : ''}${message.deleted ? ' deleted' : ''}${message.mentionsSelf ? ' mentions-self' : ''}${isUrgent(message) ? ' urgent' : ''}`,
      attrs: { role: 'article', tabindex: '-1' },
    },
    h(
      'span',
      { className: 'visually-hidden' },
      `${senderName(message, context.selfName)}, ${formatTime(message.ts)}${isUrgent(message) ? ', urgent' : ''}${message.mentionsSelf ? ', mentions you' : ''}: `,
    ),
    h(
      'div',
      { className: 'message-main' },
      isUrgent(message) && urgentMarker(),
      context.editor ?? body(message, context),
      patchCard(message, context.actions.codeAction),
      !message.deleted && files(message),
      attachmentList(message, (messageId, attachmentId) => context.actions.openAttachment(messageId, attachmentId)),
      !message.deleted && reactions(message, context.actions),
      !context.inThread && replies(message, context.actions),
    ),
    message.own && !message.deleted && deliveryStatus(message, context.actions),
    !context.editor && toolbar(message, context),
  );
  el.dataset.messageId = message.id;
  return el;
}

function body(message: MessageView, context: MessageContext): HTMLElement {
  if (message.deleted) return h('div', { className: 'message-text tombstone' }, TOMBSTONE);
  const edited = message.edited !== undefined && h('span', { className: 'edited', attrs: { title: `Edited ${formatFull(message.edited)}` } }, ' (edited)');
  if (message.code) return h('div', { className: 'message-body' }, codeBlock(message, context.actions), edited);
  if (message.block) return h('div', { className: 'message-body' }, locationBlock(message, context.actions.codeAction), edited);
  return messageText(message.text, message.mentions ?? [], (text) => {
    if (edited) (text.lastElementChild?.matches('p') ? text.lastElementChild : text).append(edited);
  });
}

function isUrgent(message: MessageView): boolean {
  return message.urgent === true && !message.deleted;
}

/** Calm but clear; hidden from screen readers, which hear "urgent" in the message's hidden prefix. */
function urgentMarker(): HTMLElement {
  const title = 'Sent as urgent: it notifies even under Do Not Disturb';
  return h('div', { className: 'urgent-marker', attrs: { 'aria-hidden': 'true', title } }, icon('bell-dot'), h('span', {}, 'Urgent'));
}

function toolbar(message: MessageView, context: MessageContext): HTMLElement | false {
  if (message.deleted || !isStored(message)) return false;
  const { actions } = context;
  const react = button('icon-button', 'Add reaction', [icon('reactions')], () => actions.pickReaction(message.id, react));
  return h(
    'div',
    { className: 'message-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Message actions' } },
    react,
    !context.inThread && button('icon-button', 'Reply in thread', [icon('comment-discussion')], () => actions.openThread(message.id)),
    button('icon-button', 'Copy link to message', [icon('link')], () => actions.copyLink(message.id), 'Copy link'),
    message.own && !message.code && button('icon-button', 'Edit message', [icon('edit')], () => actions.startEdit(message.id)),
    message.own && button('icon-button', 'Delete message', [icon('trash')], () => actions.remove(message.id)),
  );
}

function reactions(message: MessageView, actions: MessageActions): HTMLElement | false {
  const list = message.reactions?.filter((r) => r.count > 0) ?? [];
  if (list.length === 0) return false;
  const add =
    isStored(message) && button('icon-button add-reaction', 'Add reaction', [icon('reactions')], () => actions.pickReaction(message.id, add as HTMLElement));
  return h(
    'div',
    { className: 'reactions', attrs: { role: 'group', 'aria-label': 'Reactions' } },
    ...list.map((reaction) => reactionButton(message, reaction, actions)),
    add,
  );
}

function reactionButton(message: MessageView, reaction: ReactionView, actions: MessageActions): HTMLButtonElement {
  const who = reactedBy(reaction);
  const label = `${reaction.emoji} ${reaction.count}: ${who}. ${reaction.mine ? 'Remove your reaction' : `React with ${reaction.emoji}`}`;
  const el = button(
    `reaction${reaction.mine ? ' mine' : ''}`,
    label,
    [h('span', { className: 'reaction-emoji' }, reaction.emoji), h('span', { className: 'reaction-count' }, String(reaction.count))],
    () => actions.react(message.id, reaction.emoji, !reaction.mine),
    `${who} reacted with ${reaction.emoji}`,
  );
  el.setAttribute('aria-pressed', String(reaction.mine));
  el.disabled = !isStored(message);
  return el;
}

/** "bob, carol and 3 others" (the names the extension sent, and how many more reacted). */
export function reactedBy(reaction: ReactionView): string {
  const names = reaction.names.slice(0, reaction.count);
  const others = reaction.count - names.length;
  if (names.length === 0) return reaction.count === 1 ? '1 person' : `${reaction.count} people`;
  if (others > 0) return `${names.join(', ')} and ${others} other${others === 1 ? '' : 's'}`;
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function replies(message: MessageView, actions: MessageActions): HTMLElement | false {
  const summary = message.replies;
  if (!summary || summary.count === 0) return false;
  const count = `${summary.count} ${summary.count === 1 ? 'reply' : 'replies'}`;
  const last = `Last reply ${lastReply(summary.lastTs)}`;
  const names = summary.names.length > 0 ? ` from ${summary.names.join(', ')}` : '';
  return button(
    'thread-summary',
    `${count}${names}. ${last}. Open thread`,
    [icon('comment-discussion'), h('span', { className: 'thread-count' }, count), h('span', { className: 'thread-last' }, last)],
    () => actions.openThread(message.id),
  );
}

function lastReply(ts: number): string {
  const day = formatDay(ts);
  return day === 'Today' ? `at ${formatTime(ts)}` : `${day.toLowerCase() === 'yesterday' ? 'yesterday' : day} at ${formatTime(ts)}`;
}

function files(message: MessageView): HTMLElement | false {
  if (!message.files || message.files.length === 0) return false;
  return h(
    'ul',
    { className: 'message-files', attrs: { 'aria-label': 'Files' } },
    ...message.files.map((file) =>
      h('li', {}, icon('file'), h('span', { className: 'file-name' }, file.name), h('span', { className: 'file-size' }, file.size)),
    ),
  );
}

function deliveryStatus(message: MessageView, actions: MessageActions): HTMLElement {
  const failed = message.state === 'failed';
  const label = failed && message.error ? `${STATE_LABEL.failed}: ${message.error}` : STATE_LABEL[message.state];
  const status = h(
    'span',
    { className: 'delivery' },
    h(
      'span',
      { className: `delivery-icon state-${message.state}`, attrs: { role: 'img', 'aria-label': label, title: label } },
      icon(STATE_ICON[message.state]),
    ),
  );
  if (failed) {
    status.prepend(button('link-button retry', 'Retry sending this message', ['Retry'], () => actions.retry(message.id), 'Retry'));
  }
  return status;
}

function codeBlock(message: MessageView, actions: MessageActions): HTMLElement {
  const code = message.code!;
  const lines = code.startLine === code.endLine ? `${code.startLine}` : `${code.startLine}-${code.endLine}`;
  const location = `${code.path}:${lines}`;
  const text = h('code', {});
  highlightInto(text, message.text, code.language);
  return h(
    'figure',
    { className: 'code-block' },
    h(
      'figcaption',
      { className: 'code-header' },
      icon('file-code'),
      h('span', { className: 'code-location', attrs: { title: location } }, location),
      code.language && h('span', { className: 'code-language' }, code.language),
      button('link-button open-code', `Open ${location}`, [icon('go-to-file'), 'Open'], () => actions.openCode(message.id)),
    ),
    h('pre', { className: 'code-text', attrs: { tabindex: '0' } }, text),
  );
}

export function groupHeader(message: MessageView, selfName: string): HTMLElement {
  return h(
    'div',
    { className: 'group-header', attrs: { 'aria-hidden': 'true' } },
    h('span', { className: 'sender' }, senderName(message, selfName)),
    message.own && h('span', { className: 'you' }, '(you)'),
    h('time', { className: 'time', attrs: { datetime: isoTime(message.ts), title: formatFull(message.ts) } }, formatTime(message.ts)),
  );
}

export function daySeparator(ts: number): HTMLElement {
  const label = formatDay(ts);
  return h('div', { className: 'day-separator', attrs: { role: 'separator', 'aria-label': label } }, h('span', {}, label));
}

function isoTime(ts: number): string | undefined {
  return Number.isFinite(ts) && Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : undefined;
}

export function senderName(message: MessageView, selfName: string): string {
  return message.own ? message.fromName || selfName : message.fromName;
}
