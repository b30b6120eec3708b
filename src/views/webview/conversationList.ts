import type { ConversationKindView, ConversationSummary } from '../chatProtocol';
import { h, icon } from './dom';

/**
 * The conversation list: a single-select listbox in two groups, Channels (#general first) and
 * Direct Messages, in the order the extension sent them. Arrow keys (and Home/End) move the
 * focus ring (aria-activedescendant) across both groups, Enter or Space selects, a click does
 * both. Selecting only asks: the extension answers with the conversation, and main.ts marks it
 * selected.
 */

/** A channel is '#' (a lock when private); @vscode/codicons has no 'people' glyph, so two
 *  speech bubbles stand for a group. */
export function kindIcon(kind: ConversationKindView, isPrivate = false): string {
  if (kind === 'channel') return isPrivate ? 'lock' : 'symbol-numeric';
  return kind === 'peer' ? 'account' : 'comment-discussion';
}

const SECTIONS = [
  { id: 'channels', label: 'Channels', kinds: ['channel'] },
  { id: 'direct', label: 'Direct Messages', kinds: ['peer', 'group'] },
] as const;

export class ConversationList {
  private items: ConversationSummary[] = [];
  private selectedId: string | undefined;
  private activeId: string | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly onSelect: (id: string) => void,
  ) {
    root.addEventListener('keydown', (event) => this.onKey(event));
    root.addEventListener('click', (event) => {
      const option = (event.target as Element).closest<HTMLElement>('[role="option"]');
      const id = option ? this.idOf(option) : undefined;
      if (id === undefined) return;
      this.activeId = id;
      this.choose(id);
    });
    root.addEventListener('focus', () => {
      if (this.activeId === undefined || !this.has(this.activeId)) this.activeId = this.selectedId ?? this.items[0]?.id;
      this.paintActive();
    });
  }

  render(items: ConversationSummary[]): void {
    // Options in list order: the keyboard walks them as they are shown, group by group.
    const groups: HTMLElement[] = [];
    const ordered: ConversationSummary[] = [];
    for (const section of SECTIONS) {
      const members = items.filter((item) => (section.kinds as readonly string[]).includes(item.kind));
      if (members.length === 0) continue;
      const labelId = `conversation-section-${section.id}`;
      const rows = members.map((item) => this.row(item, ordered.length + members.indexOf(item)));
      ordered.push(...members);
      groups.push(
        h(
          'div',
          { className: 'conversation-section', attrs: { role: 'group', 'aria-labelledby': labelId } },
          h('div', { className: 'section-title', attrs: { id: labelId, role: 'presentation' } }, section.label),
          ...rows,
        ),
      );
    }
    this.items = ordered;
    this.root.replaceChildren(...groups);
    if (this.activeId !== undefined && !this.has(this.activeId)) this.activeId = undefined;
    this.paintActive();
  }

  setSelected(id: string | undefined): void {
    this.selectedId = id;
    for (const option of this.options()) {
      option.setAttribute('aria-selected', String(this.idOf(option) === id));
    }
    if (id !== undefined && this.has(id)) this.activeId = id;
    this.paintActive();
  }

  focus(): void {
    this.root.focus();
  }

  private row(item: ConversationSummary, index: number): HTMLElement {
    const channel = item.kind === 'channel';
    const online = !channel && item.online;
    const title = channel ? item.title.replace(/^#/, '') : item.title;
    const parts = [channel ? `${item.private ? 'private channel' : 'channel'} ${title}` : item.title];
    if (online) parts.push('online');
    if (item.unread > 0) parts.push(`${item.unread} unread`);
    if (item.mentions) parts.push(`${item.mentions} mention${item.mentions === 1 ? '' : 's'}`);
    if (item.lastText) parts.push(item.lastText);
    const option = h(
      'div',
      {
        className: `conversation-row${item.unread > 0 ? ' unread' : ''}`,
        attrs: {
          role: 'option',
          id: `conversation-option-${index}`,
          'aria-selected': String(item.id === this.selectedId),
          'aria-label': parts.join(', '),
          title: item.title,
        },
      },
      h('span', { className: 'row-icon' }, icon(kindIcon(item.kind, item.private)), online && h('span', { className: 'online-dot' })),
      h('span', { className: 'row-title' }, title),
      h('span', { className: 'row-description' }, oneLine(item.lastText)),
      item.mentions ? h('span', { className: 'badge mention', attrs: { 'aria-hidden': 'true' } }, `@${item.mentions > 99 ? '99+' : item.mentions}`) : false,
      item.unread > 0 && h('span', { className: 'badge', attrs: { 'aria-hidden': 'true' } }, item.unread > 99 ? '99+' : String(item.unread)),
    );
    option.dataset.conversationId = item.id;
    return option;
  }

  private onKey(event: KeyboardEvent): void {
    if (this.items.length === 0) return;
    const index = this.items.findIndex((item) => item.id === this.activeId);
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = index < 0 ? 0 : Math.min(index + 1, this.items.length - 1);
        break;
      case 'ArrowUp':
        next = index < 0 ? 0 : Math.max(index - 1, 0);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this.items.length - 1;
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        if (this.activeId !== undefined) this.choose(this.activeId);
        return;
      default:
        return;
    }
    event.preventDefault();
    this.activeId = this.items[next]?.id;
    this.paintActive();
  }

  private choose(id: string): void {
    this.setSelected(id);
    this.onSelect(id);
  }

  /** The focus ring and aria-activedescendant follow the active row. */
  private paintActive(): void {
    let activeEl: HTMLElement | undefined;
    for (const option of this.options()) {
      const active = this.idOf(option) === this.activeId;
      option.classList.toggle('active', active);
      if (active) activeEl = option;
    }
    if (activeEl) {
      this.root.setAttribute('aria-activedescendant', activeEl.id);
      activeEl.scrollIntoView({ block: 'nearest' });
    } else {
      this.root.removeAttribute('aria-activedescendant');
    }
  }

  private options(): HTMLElement[] {
    return [...this.root.querySelectorAll<HTMLElement>('[role="option"]')];
  }

  private idOf(option: HTMLElement): string | undefined {
    return option.dataset.conversationId;
  }

  private has(id: string): boolean {
    return this.items.some((item) => item.id === id);
  }
}

/** The start of a message on one line (whitespace folded), for a preview. */
export function oneLine(text: string): string {
  return text.slice(0, 400).replace(/\s+/g, ' ').trim();
}
