import type { ConversationMessage, DeliveryState } from '../../model/conversationTypes';
import { button, h, icon } from './dom';
import { formatDay, formatFull, formatTime } from './time';

/**
 * The DOM for one message, one group header and one day separator. Peer data goes into
 * Text nodes (via `h`) and attribute values only.
 */

export interface MessageActions {
  retry(messageId: string): void;
  openCode(messageId: string): void;
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

/**
 * One message. It starts with a visually hidden "bob, 14:05:" so a screen reader announcing a
 * message added to an existing group still says who wrote it (the group header is hidden
 * from screen readers for that reason).
 */
export function messageElement(message: ConversationMessage, selfName: string, actions: MessageActions): HTMLElement {
  const body = message.code ? codeBlock(message, actions) : h('div', { className: 'message-text' }, message.text);
  const el = h(
    'div',
    { className: `message state-${message.state}${message.own ? ' own' : ''}` },
    h('span', { className: 'visually-hidden' }, `${senderName(message, selfName)}, ${formatTime(message.ts)}: `),
    body,
    message.own && deliveryStatus(message, actions),
  );
  el.dataset.messageId = message.id;
  return el;
}

function deliveryStatus(message: ConversationMessage, actions: MessageActions): HTMLElement {
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

function codeBlock(message: ConversationMessage, actions: MessageActions): HTMLElement {
  const code = message.code!;
  const lines = code.startLine === code.endLine ? `${code.startLine}` : `${code.startLine}-${code.endLine}`;
  const location = `${code.path}:${lines}`;
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
    h('pre', { className: 'code-text' }, h('code', {}, message.text)),
  );
}

export function groupHeader(message: ConversationMessage, selfName: string): HTMLElement {
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

function senderName(message: ConversationMessage, selfName: string): string {
  return message.own ? message.fromName || selfName : message.fromName;
}
