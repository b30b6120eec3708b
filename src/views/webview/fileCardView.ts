import type { FileCard } from '../chatProtocol';
import { append, button, h, icon } from './dom';
import { formatFull, formatTime } from './time';

/**
 * A file offer or transfer as a card among the messages: who and what, where it stands, a
 * progress bar while bytes move, where the files were saved (Open, Reveal), and the buttons
 * the state allows (Accept and Decline an offer, Cancel a transfer). Names and reasons come
 * from peers: they only ever become Text nodes and attribute values (dom.ts).
 */

export type FileAction = 'accept' | 'decline' | 'cancel' | 'open' | 'reveal';

export interface FileCardActions {
  fileAction(cardId: string, action: FileAction, place?: number): void;
}

const MOVING = new Set<FileCard['state']>(['accepting', 'moving']);

export function fileCardElement(card: FileCard, actions: FileCardActions): HTMLElement {
  const el = h('div', { className: 'file-card', attrs: { role: 'group' } });
  el.dataset.cardId = card.id;
  fill(el, card, actions);
  return el;
}

/**
 * Brings a card's element up to date. Progress only changes the bar and the status line (so a
 * focused Cancel keeps the focus, and a screen reader is not read every percent); any other
 * change rebuilds the card, the focus going back to the same button if it is still there.
 */
export function updateFileCard(el: HTMLElement, previous: FileCard, card: FileCard, actions: FileCardActions): void {
  if (previous.state === card.state && card.state === 'moving') {
    el.querySelector('.file-card-status-text')!.textContent = card.status;
    const bar = el.querySelector('progress');
    if (bar) bar.value = percent(card);
    return;
  }
  const focused = el.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.action : undefined;
  fill(el, card, actions);
  if (focused) el.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
}

function fill(el: HTMLElement, card: FileCard, actions: FileCardActions): void {
  el.className = `file-card ${card.direction === 'in' ? 'incoming' : 'outgoing'} state-${card.state} tone-${card.tone}`;
  el.setAttribute('aria-label', `${card.title}. ${card.status}`);
  el.replaceChildren();
  append(
    el,
    h(
      'div',
      { className: 'file-card-head' },
      icon(card.direction === 'in' ? 'cloud-download' : 'cloud-upload', 'file-card-icon'),
      h('span', { className: 'file-card-title', attrs: { title: card.title } }, card.title),
      h('time', { className: 'time', attrs: { title: formatFull(card.ts) } }, formatTime(card.ts)),
    ),
    h(
      'div',
      // While bytes move the line changes several times a second: not for reading out each time.
      { className: 'file-card-status', attrs: { 'aria-live': card.state === 'moving' ? 'off' : undefined } },
      card.tone === 'error' && icon('error'),
      card.tone === 'success' && icon('pass'),
      h('span', { className: 'file-card-status-text' }, card.status),
    ),
    MOVING.has(card.state) && progressBar(card),
    places(card, actions),
    buttons(card, actions),
  );
}

function progressBar(card: FileCard): HTMLProgressElement {
  const bar = h('progress', { className: 'file-card-progress', attrs: { max: '100', 'aria-label': `${card.what}: progress` } });
  // Preparing the folder has no figure yet: an indeterminate bar (no value).
  if (card.state === 'moving') bar.value = percent(card);
  return bar;
}

function places(card: FileCard, actions: FileCardActions): HTMLElement | false {
  const saved = card.saved ?? [];
  if (saved.length === 0) return false;
  const list = h('ul', { className: 'file-card-places', attrs: { 'aria-label': 'Saved' } });
  saved.forEach((place, index) => {
    const kind = place.folder ? 'folder' : 'file';
    append(
      list,
      h(
        'li',
        { className: 'file-card-place' },
        icon(place.folder ? 'folder' : 'file'),
        h('span', { className: 'place-name', attrs: { title: place.path } }, place.name),
        place.note && h('span', { className: 'place-note' }, place.note),
        actionButton('open', `Open ${kind} ${place.name}`, 'Open', () => actions.fileAction(card.id, 'open', index), index),
        actionButton('reveal', `Reveal ${kind} ${place.name}`, 'Reveal', () => actions.fileAction(card.id, 'reveal', index), index),
      ),
    );
  });
  if (card.moreSaved) append(list, h('li', { className: 'file-card-place more' }, `and ${card.moreSaved} more in the same folder`));
  return list;
}

function buttons(card: FileCard, actions: FileCardActions): HTMLElement | false {
  const act = (action: FileAction) => () => actions.fileAction(card.id, action);
  const from = card.direction === 'in' ? ` from ${card.peerName}` : ` to ${card.peerName}`;
  if (card.state === 'offered') {
    return h(
      'div',
      { className: 'file-card-actions' },
      actionButton('accept', `Accept ${card.what}${from}`, 'Accept', act('accept'), undefined, 'primary'),
      actionButton('decline', `Decline ${card.what}${from}`, 'Decline', act('decline'), undefined, 'secondary'),
    );
  }
  if (['waiting', 'accepting', 'moving', 'interrupted'].includes(card.state)) {
    return h('div', { className: 'file-card-actions' }, actionButton('cancel', `Cancel ${card.what}${from}`, 'Cancel', act('cancel'), undefined, 'secondary'));
  }
  return false;
}

/** A text button; `data-action` (with the place) finds it again after a rebuild. */
function actionButton(action: FileAction, label: string, text: string, run: () => void, place?: number, style = 'link'): HTMLButtonElement {
  const el = button(style === 'link' ? 'link-button' : `text-button ${style}`, label, [text], run);
  el.dataset.action = place === undefined ? action : `${action}-${place}`;
  return el;
}

function percent(card: FileCard): number {
  return card.total > 0 ? Math.min(100, Math.floor((100 * card.bytes) / card.total)) : 100;
}
