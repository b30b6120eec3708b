import { h } from './dom';
import type { Emoji } from './emojiData';
import { emojiSet, loadEmojiSet } from './emojiSet';

/** The common reactions, first in the picker; each with the name a screen reader says. */
export const COMMON_EMOJI: readonly { emoji: string; name: string }[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '🎉', name: 'party' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
  { emoji: '👀', name: 'eyes' },
  { emoji: '✅', name: 'done' },
  { emoji: '🙏', name: 'thanks' },
  { emoji: '🚀', name: 'rocket' },
];

/** The category bar's icons by category name; a category not listed shows its first emoji. */
const CATEGORY_ICONS: Readonly<Record<string, string>> = {
  'Smileys & emotion': '😀',
  'People & body': '👋',
  'Animals & nature': '🐶',
  'Food & drink': '🍔',
  'Travel & places': '✈️',
  Activities: '⚽',
  Objects: '💡',
  Symbols: '🔣',
  Flags: '🏁',
};

/** Columns of the grid (media/chat.css lays it out with as many). */
export const PICKER_COLUMNS = 8;
/** Search results shown (the best first); typing more narrows them. */
const MAX_RESULTS = 160;

interface Section {
  readonly el: HTMLElement;
  readonly buttons: HTMLButtonElement[];
}

/**
 * The reaction picker beside the button that opened it: the common reactions, then every emoji
 * of the shared set (emojiData.ts) by category, and a search box (names, keywords, shortcodes).
 * The whole set is built once, when the page is first idle (or on first open, if sooner).
 * Arrow keys move in the grid (Up/Down by rows), Home/End to the ends, typing searches, Enter or
 * a click picks, Escape or a click elsewhere closes; the focus goes back to the button that
 * opened it.
 */
export class EmojiPicker {
  private readonly el: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly categories: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly results: Section;
  private readonly empty: HTMLElement;
  private readonly quick: Section;
  private groups: Section[] = [];
  private onPick: ((emoji: string) => void) | undefined;
  private opener: HTMLElement | undefined;

  constructor() {
    this.search = h('input', {
      className: 'emoji-search',
      attrs: { type: 'search', placeholder: 'Search emoji', 'aria-label': 'Search emoji', autocomplete: 'off', spellcheck: 'false', maxlength: '60' },
    });
    this.categories = h('div', { className: 'emoji-categories', attrs: { role: 'toolbar', 'aria-label': 'Emoji categories' } });
    this.quick = section(
      'Frequently used',
      COMMON_EMOJI.map(({ emoji, name }) => emojiButton(emoji, `React with ${name} ${emoji}`, name)),
    );
    this.results = section('Search results', []);
    this.results.el.hidden = true;
    this.empty = h('div', { className: 'emoji-empty', attrs: { role: 'status' } });
    this.scroller = h('div', { className: 'emoji-scroll' }, this.quick.el, this.results.el, this.empty);
    this.el = h('div', { className: 'emoji-picker', attrs: { role: 'dialog', 'aria-label': 'Add reaction' } }, this.search, this.categories, this.scroller);
    this.el.hidden = true;
    this.el.addEventListener('keydown', (event) => this.onKey(event));
    this.el.addEventListener('click', (event) => {
      const target = (event.target as Element).closest<HTMLButtonElement>('button[data-emoji]');
      if (!target) return;
      event.stopPropagation();
      this.pick(target.dataset['emoji']!);
    });
    this.search.addEventListener('input', () => this.filter());
    this.el.addEventListener('focusout', (event) => {
      if (!this.el.contains(event.relatedTarget as Node | null)) this.close(false);
    });
    document.addEventListener('mousedown', (event) => {
      if (!this.el.hidden && !this.el.contains(event.target as Node)) this.close(false);
    });
    document.body.appendChild(this.el);
    // The whole set is some two thousand buttons: made while the page is idle, so opening is quick.
    requestIdleCallback(() => void this.loadAndBuild(), { timeout: 10_000 });
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(opener: HTMLElement, onPick: (emoji: string) => void): void {
    this.build();
    this.opener = opener;
    // Keeps a hover toolbar showing its button while the picker is open, so the focus can go back to it.
    opener.classList.add('popup-opener');
    this.onPick = onPick;
    this.search.value = '';
    this.filter();
    this.el.hidden = false;
    this.scroller.scrollTop = 0;
    const rect = opener.getBoundingClientRect();
    const width = this.el.offsetWidth;
    const height = this.el.offsetHeight;
    const below = rect.bottom + 4 + height <= window.innerHeight;
    this.el.style.top = `${Math.max(4, below ? rect.bottom + 4 : rect.top - 4 - height)}px`;
    this.el.style.left = `${Math.max(4, Math.min(rect.right - width, window.innerWidth - width - 4))}px`;
    this.focusButton(this.quick.buttons[0]!);
  }

  close(restoreFocus = true): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    this.onPick = undefined;
    const opener = this.opener;
    this.opener = undefined;
    if (restoreFocus && opener?.isConnected) opener.focus();
    opener?.classList.remove('popup-opener');
  }

  /** The set is a bundle of its own (emojiSet.ts): until it is here the picker offers the common reactions. */
  private async loadAndBuild(): Promise<void> {
    if (!(await loadEmojiSet().catch(() => undefined))) return;
    this.build();
    if (this.isOpen) this.filter();
  }

  /** Every category's section and its button in the bar, made once (when idle, or the first open). */
  private build(): void {
    if (this.groups.length > 0) return;
    const set = emojiSet();
    if (!set) {
      void this.loadAndBuild();
      return;
    }
    const names = set.emojiGroups();
    const byGroup = names.map(() => [] as Emoji[]);
    for (const e of set.allEmoji()) byGroup[e.group]?.push(e);
    this.groups = names.map((name, index) =>
      section(
        name,
        byGroup[index]!.map((e) => emojiButton(e.emoji, `${e.name} ${e.emoji}`, tooltip(e))),
      ),
    );
    this.scroller.append(...this.groups.map((g) => g.el));
    this.categories.replaceChildren(
      ...names.map((name, index) => {
        const first = byGroup[index]![0];
        const jump = h(
          'button',
          { className: 'emoji-category', attrs: { type: 'button', 'aria-label': name, title: name } },
          CATEGORY_ICONS[name] ?? first?.emoji ?? name.charAt(0),
        );
        jump.addEventListener('click', () => {
          if (this.search.value !== '') {
            this.search.value = '';
            this.filter();
          }
          this.scroller.scrollTop = this.groups[index]!.el.offsetTop - this.scroller.offsetTop;
          const target = this.groups[index]!.buttons[0];
          if (target) this.focusButton(target);
        });
        return jump;
      }),
    );
  }

  /** The search: its results in place of the categories; an empty box shows them all again. */
  private filter(): void {
    const query = this.search.value.trim();
    const searching = query !== '';
    for (const s of [this.quick, ...this.groups]) s.el.hidden = searching;
    this.results.el.hidden = !searching;
    this.empty.textContent = '';
    this.empty.hidden = true;
    if (!searching) return;
    const found = emojiSet()?.searchEmoji(query, MAX_RESULTS) ?? [];
    this.results.buttons.splice(0, this.results.buttons.length, ...found.map((e) => emojiButton(e.emoji, `${e.name} ${e.emoji}`, tooltip(e))));
    this.results.el.querySelector('.emoji-grid')!.replaceChildren(...this.results.buttons);
    this.results.el.hidden = found.length === 0;
    if (found.length === 0) {
      this.empty.hidden = false;
      this.empty.textContent = `No emoji for “${query}”`;
    }
    this.scroller.scrollTop = 0;
  }

  private pick(emoji: string): void {
    const onPick = this.onPick;
    this.close();
    onPick?.(emoji);
  }

  /** The sections shown now, in order (the common row and the categories, or the results). */
  private shown(): Section[] {
    return [this.quick, this.results, ...this.groups].filter((s) => !s.el.hidden && s.buttons.length > 0);
  }

  private focusButton(button: HTMLButtonElement): void {
    for (const s of this.shown()) for (const b of s.buttons) b.tabIndex = b === button ? 0 : -1;
    button.focus();
    button.scrollIntoView({ block: 'nearest' });
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.close();
      return;
    }
    const inSearch = document.activeElement === this.search;
    if (inSearch) {
      const first = this.shown()[0]?.buttons[0];
      if (event.key === 'Enter' && first) {
        event.preventDefault();
        this.pick(first.dataset['emoji']!);
      } else if (event.key === 'ArrowDown' && first) {
        event.preventDefault();
        this.focusButton(first);
      }
      return;
    }
    const current = document.activeElement as HTMLButtonElement;
    if (!current?.dataset?.['emoji']) return;
    const next = this.neighbour(current, event.key);
    if (next) {
      event.preventDefault();
      this.focusButton(next);
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey && event.key !== ' ') {
      // Typing in the grid searches: the character lands in the box that now has the focus.
      this.search.focus();
    }
  }

  /** Where an arrow key (or Home/End) goes from `button`: by one, or by a row across sections. */
  private neighbour(button: HTMLButtonElement, key: string): HTMLButtonElement | undefined {
    const sections = this.shown();
    const flat = sections.flatMap((s) => s.buttons);
    const at = flat.indexOf(button);
    if (at < 0) return undefined;
    if (key === 'ArrowRight') return flat[(at + 1) % flat.length];
    if (key === 'ArrowLeft') return flat[(at - 1 + flat.length) % flat.length];
    if (key === 'Home') return flat[0];
    if (key === 'End') return flat[flat.length - 1];
    if (key !== 'ArrowDown' && key !== 'ArrowUp') return undefined;
    const s = sections.findIndex((sec) => sec.buttons.includes(button));
    const { buttons } = sections[s]!;
    const i = buttons.indexOf(button);
    const column = i % PICKER_COLUMNS;
    if (key === 'ArrowDown') {
      if (i + PICKER_COLUMNS < buttons.length) return buttons[i + PICKER_COLUMNS];
      const lastRow = Math.floor((buttons.length - 1) / PICKER_COLUMNS) === Math.floor(i / PICKER_COLUMNS);
      if (!lastRow) return buttons[buttons.length - 1];
      const below = sections[s + 1]?.buttons;
      return below ? below[Math.min(column, below.length - 1)] : undefined;
    }
    if (i - PICKER_COLUMNS >= 0) return buttons[i - PICKER_COLUMNS];
    const above = sections[s - 1]?.buttons;
    if (!above) return undefined;
    const lastRowStart = Math.floor((above.length - 1) / PICKER_COLUMNS) * PICKER_COLUMNS;
    return above[Math.min(lastRowStart + column, above.length - 1)];
  }
}

function section(title: string, buttons: HTMLButtonElement[]): Section {
  const heading = h('div', { className: 'emoji-section-title', attrs: { 'aria-hidden': 'true' } }, title);
  const grid = h('div', { className: 'emoji-grid', attrs: { role: 'group', 'aria-label': title } }, ...buttons);
  return { el: h('div', { className: 'emoji-section' }, heading, grid), buttons };
}

function emojiButton(emoji: string, label: string, title: string): HTMLButtonElement {
  return h('button', { className: 'emoji-choice', attrs: { type: 'button', 'aria-label': label, title, tabindex: '-1', 'data-emoji': emoji } }, emoji);
}

function tooltip(e: Emoji): string {
  return e.shortcodes.length > 0 ? `${e.name} :${e.shortcodes[0]}:` : e.name;
}
