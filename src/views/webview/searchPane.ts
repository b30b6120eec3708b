import type { SearchHitView } from '../chatProtocol';
import { byId, h, icon } from './dom';
import { kindIcon, oneLine } from './conversationList';
import { plainLine } from './formatting';
import { formatFull, formatTime, formatDay } from './time';
import { TOMBSTONE, senderName } from './messageView';

export interface SearchEvents {
  /** Search for `query` (`before`: the next page after the hit with that seq). */
  search(query: string, before?: number): void;
  /** Open the conversation around a hit. */
  jump(conversationId: string, messageId: string): void;
  /** The pane opened (the side pane must show before anything in it can take the focus). */
  shown(): void;
  closed(): void;
}

const MAX_QUERY_CHARS = 500;
/** Characters of a hit's text shown (as one line of plain text). */
const HIT_CHARS = 400;

/**
 * The search pane: a query box (the relay's syntax: words, "phrases", from:, in:, has:, dates),
 * the results newest first with their conversation, author, time and text, "More" for the next
 * page. A click or Enter on a result opens the conversation there; Up/Down move between
 * results. Only the latest query's answers are shown.
 */
export class SearchPane {
  private readonly pane = byId('search-pane');
  private readonly form = byId<HTMLFormElement>('search-form');
  private readonly input = byId<HTMLInputElement>('search-input');
  private readonly status = byId('search-status');
  private readonly results = byId('search-results');
  private readonly more = byId<HTMLButtonElement>('search-more');
  private query = '';
  private hits: SearchHitView[] = [];
  private selfName = '';

  constructor(private readonly events: SearchEvents) {
    this.input.maxLength = MAX_QUERY_CHARS;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.run(this.input.value);
    });
    byId('search-close').addEventListener('click', () => this.close());
    this.more.addEventListener('click', () => {
      const last = this.hits[this.hits.length - 1];
      if (!last || last.message.seq === undefined) return;
      this.more.disabled = true;
      this.status.textContent = 'Searching…';
      events.search(this.query, last.message.seq);
    });
    this.pane.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        this.close();
      }
    });
    this.results.addEventListener('keydown', (event) => this.onResultKey(event));
  }

  get isOpen(): boolean {
    return !this.pane.hidden;
  }

  setSelfName(name: string): void {
    this.selfName = name;
  }

  /** Opens the pane, the focus in the query box; with a query, searches for it. */
  show(query?: string): void {
    this.pane.hidden = false;
    this.events.shown();
    if (query !== undefined && query.trim() !== '') {
      this.input.value = query.slice(0, MAX_QUERY_CHARS);
      this.run(query);
    }
    this.input.focus();
    this.input.select();
  }

  close(): void {
    if (this.pane.hidden) return;
    this.pane.hidden = true;
    this.events.closed();
  }

  /** The extension's answer; answers to an older query are dropped. */
  setResults(query: string, hits: SearchHitView[], more: boolean, append: boolean, error?: string): void {
    if (query !== this.query) return;
    this.more.disabled = false;
    if (error !== undefined) {
      this.status.textContent = error;
      this.status.classList.add('error');
      this.more.hidden = true;
      if (!append) {
        this.hits = [];
        this.results.replaceChildren();
      }
      return;
    }
    this.status.classList.remove('error');
    this.hits = append ? [...this.hits, ...hits] : hits;
    const els = hits.map((hit, i) => this.hitElement(hit, (append ? this.hits.length - hits.length : 0) + i));
    if (append) this.results.append(...els);
    else this.results.replaceChildren(...els);
    this.more.hidden = !more;
    const count = this.hits.length;
    this.status.textContent = count === 0 ? 'No messages found.' : `${count}${more ? '+' : ''} result${count === 1 ? '' : 's'}`;
  }

  private run(raw: string): void {
    const query = raw.trim().slice(0, MAX_QUERY_CHARS);
    if (query === '') return;
    this.query = query;
    this.hits = [];
    this.results.replaceChildren();
    this.more.hidden = true;
    this.status.classList.remove('error');
    this.status.textContent = 'Searching…';
    this.events.search(query);
  }

  private hitElement(hit: SearchHitView, index: number): HTMLElement {
    const m = hit.message;
    const author = senderName(m, this.selfName);
    const day = formatDay(m.ts);
    const when = `${day === 'Today' ? '' : `${day}, `}${formatTime(m.ts)}`;
    const text = m.deleted ? TOMBSTONE : m.code ? oneLine(`${m.code.path}: ${m.text}`) : plainLine(m.text, HIT_CHARS);
    const el = h(
      'button',
      { className: 'search-hit', attrs: { type: 'button', 'aria-label': `${author} in ${hit.title}, ${when}: ${text.slice(0, 200)}` } },
      h(
        'span',
        { className: 'search-hit-head' },
        icon(hitIcon(hit.conversationId)),
        h('span', { className: 'search-hit-conversation' }, hit.title),
        h('span', { className: 'search-hit-author' }, author),
        h('time', { className: 'time', attrs: { title: formatFull(m.ts) } }, when),
      ),
      m.thread !== undefined && h('span', { className: 'search-hit-thread' }, 'in a thread'),
      h('span', { className: 'search-hit-text' }, ...highlighted(text, this.query)),
    );
    el.dataset.index = String(index);
    el.addEventListener('click', () => this.events.jump(hit.conversationId, m.id));
    return h('li', {}, el);
  }

  private onResultKey(event: KeyboardEvent): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...this.results.querySelectorAll<HTMLButtonElement>('.search-hit')];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))]!.focus();
  }
}

/** The conversation's kind, as the conversation list shows it. */
function hitIcon(conversationId: string): string {
  if (conversationId.startsWith('peer:')) return kindIcon('peer');
  if (conversationId.startsWith('group:')) return kindIcon('group');
  return kindIcon('channel');
}

/** The text with the query's plain words marked (as text nodes in <mark>, never parsed). */
export function highlighted(text: string, query: string): (string | HTMLElement)[] {
  const words = query
    .replace(/"/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && !w.includes(':'))
    .map((w) => w.toLowerCase());
  const lower = text.toLowerCase();
  // Lower case may change lengths (İ): then positions would not line up, so nothing is marked.
  if (words.length === 0 || lower.length !== text.length) return [text];
  const parts: (string | HTMLElement)[] = [];
  let at = 0;
  while (at < text.length) {
    let best = -1;
    let length = 0;
    for (const word of words) {
      const found = lower.indexOf(word, at);
      if (found >= 0 && (best < 0 || found < best)) {
        best = found;
        length = word.length;
      }
    }
    if (best < 0) break;
    if (best > at) parts.push(text.slice(at, best));
    parts.push(h('mark', {}, text.slice(best, best + length)));
    at = best + length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
