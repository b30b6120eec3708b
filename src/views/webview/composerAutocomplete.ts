import type { DirectoryView } from '../chatProtocol';
import { h } from './dom';
import { emojiSet, loadEmojiSet } from './emojiSet';
import { MAX_OPTIONS, mentionOptions, mentionsName, ROOMS, type Suggestion, typedPeople } from './mentionMatching';

/** Characters of a name typed after '@' that are still looked up (two words, for "Bob Smith"). */
const MENTION_QUERY = /(?:^|[\s([{"'])@([^\s@#:]{0,40}(?: [^\s@#:]{0,40})?)$/u;
const CHANNEL_QUERY = /(?:^|[\s([{"'])#([\p{L}\p{N}_-]{0,80})$/u;
/** At least two characters after ':' (so "a: b" or a time does not open it). */
const EMOJI_QUERY = /(?:^|[\s([{"'])(:[a-z0-9_+-]{2,40})$/;

let instances = 0;

/**
 * Autocomplete for a message box: `@` people (the directory the extension sends) and
 * `@channel`/`@here`, `#` channels, `:shortcode:` emoji. A listbox above the box; Up/Down move,
 * Enter or Tab take the highlighted suggestion, Escape closes; the box keeps the focus and names
 * the highlighted option with aria-activedescendant. A person goes into the text as `@Name`, and
 * their id is remembered so the message can say whom it mentions (`takeMentions`); an emoji goes
 * in as its character.
 */
export class ComposerAutocomplete {
  private readonly list: HTMLElement;
  private readonly listId: string;
  private options: Suggestion[] = [];
  private active = 0;
  /** Where the text being completed starts (its '@', '#' or ':') and ends (the caret). */
  private range: { start: number; end: number } | undefined;
  /** People picked, by id, with the name that went into the text. */
  private readonly picked = new Map<string, string>();

  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly directory: () => DirectoryView,
  ) {
    this.listId = `autocomplete-${++instances}`;
    this.list = h('div', { className: 'autocomplete', attrs: { id: this.listId, role: 'listbox', 'aria-label': 'Suggestions' } });
    this.list.hidden = true;
    document.body.appendChild(this.list);
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', this.listId);
    // Capture: at the box itself this runs before the composer's own keydown (Enter sends there).
    input.addEventListener('keydown', (event) => this.onKey(event), true);
    input.addEventListener('input', () => this.update());
    input.addEventListener('click', () => this.update());
    input.addEventListener('blur', () => this.close());
    // A click on an option must not take the focus from the box.
    this.list.addEventListener('mousedown', (event) => event.preventDefault());
  }

  get isOpen(): boolean {
    return !this.list.hidden;
  }

  /** What is being suggested now (for tests and screen readers the DOM says the same). */
  get suggestions(): readonly Suggestion[] {
    return this.options;
  }

  /**
   * Whom `text` mentions, for sending: the people picked whose `@Name` it still holds, people
   * typed by their exact name when only one person has it, and `channel`/`here`. Then forgets
   * the picks (the box is empty after a send).
   */
  takeMentions(text: string): string[] {
    const out = new Set<string>();
    for (const [id, name] of this.picked) if (mentionsName(text, name)) out.add(id);
    for (const id of typedPeople(text, this.directory().people)) out.add(id);
    for (const room of ROOMS) if (mentionsName(text, room.id)) out.add(room.id);
    this.picked.clear();
    return [...out];
  }

  close(): void {
    if (this.list.hidden) return;
    this.list.hidden = true;
    this.options = [];
    this.range = undefined;
    this.input.removeAttribute('aria-activedescendant');
    this.input.setAttribute('aria-expanded', 'false');
  }

  /** Looks at the text before the caret and shows what it could become (or closes). */
  private update(): void {
    const caret = this.input.selectionStart;
    if (this.input.disabled || caret !== this.input.selectionEnd) return this.close();
    const before = this.input.value.slice(Math.max(0, caret - 200), caret);
    const found = this.suggest(before);
    if (!found || found.options.length === 0) return this.close();
    this.options = found.options;
    this.range = { start: caret - found.typed.length, end: caret };
    this.active = 0;
    this.render();
  }

  private suggest(before: string): { typed: string; options: Suggestion[] } | undefined {
    const mention = MENTION_QUERY.exec(before);
    if (mention) {
      const query = mention[1]!;
      return { typed: `@${query}`, options: mentionOptions(query, this.directory().people) };
    }
    const channel = CHANNEL_QUERY.exec(before);
    if (channel) {
      const query = channel[1]!.toLowerCase();
      const names = this.directory().channels.filter((name) => name.toLowerCase().startsWith(query));
      return { typed: `#${channel[1]}`, options: names.slice(0, MAX_OPTIONS).map((name) => ({ kind: 'channel', name })) };
    }
    const emoji = EMOJI_QUERY.exec(before);
    if (emoji) {
      const typed = emoji[1]!;
      const set = emojiSet();
      if (!set) {
        // Not loaded yet (the page has just opened): look again once it is.
        void loadEmojiSet().then(
          () => this.update(),
          () => undefined,
        );
        return undefined;
      }
      const options = set.searchEmoji(typed, MAX_OPTIONS).map((e) => ({
        kind: 'emoji' as const,
        emoji: e.emoji,
        shortcode: e.shortcodes[0] ?? e.name,
        name: e.name,
      }));
      return { typed, options };
    }
    return undefined;
  }

  private render(): void {
    const items = this.options.map((option, index) =>
      h(
        'div',
        {
          className: `autocomplete-option kind-${option.kind}`,
          attrs: { id: `${this.listId}-${index}`, role: 'option', 'aria-selected': String(index === this.active) },
        },
        ...optionContent(option),
      ),
    );
    items.forEach((item, index) => item.addEventListener('click', () => this.pick(index)));
    this.list.replaceChildren(...items);
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.input.setAttribute('aria-activedescendant', `${this.listId}-${this.active}`);
    this.place();
  }

  /** Above the box (below it when there is no room above), its left edge with the box's. */
  private place(): void {
    const box = (this.input.closest('.composer') ?? this.input).getBoundingClientRect();
    const height = this.list.offsetHeight;
    const top = box.top - 4 - height >= 0 ? box.top - 4 - height : box.bottom + 4;
    this.list.style.top = `${Math.max(0, top)}px`;
    this.list.style.left = `${Math.max(0, box.left)}px`;
    this.list.style.width = `${Math.min(box.width, 420)}px`;
  }

  private move(by: number): void {
    const count = this.options.length;
    this.active = (this.active + by + count) % count;
    this.list.querySelectorAll('[role="option"]').forEach((el, index) => el.setAttribute('aria-selected', String(index === this.active)));
    this.input.setAttribute('aria-activedescendant', `${this.listId}-${this.active}`);
    document.getElementById(`${this.listId}-${this.active}`)?.scrollIntoView({ block: 'nearest' });
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.isOpen || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    let handled = true;
    if (event.key === 'ArrowDown') this.move(1);
    else if (event.key === 'ArrowUp') this.move(-1);
    else if ((event.key === 'Enter' && !event.shiftKey) || (event.key === 'Tab' && !event.shiftKey)) this.pick(this.active);
    else if (event.key === 'Escape') this.close();
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight' || event.key === 'Home' || event.key === 'End') {
      // The caret leaves what was being completed: the suggestions go, the key moves the caret.
      this.close();
      handled = false;
    } else handled = false;
    if (!handled) return;
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  /** Puts the suggestion into the text in place of what was typed, and a space after it. */
  private pick(index: number): void {
    const option = this.options[index];
    const range = this.range;
    this.close();
    if (!option || !range) return;
    const inserted = `${insertText(option)} `;
    const value = this.input.value;
    this.input.value = value.slice(0, range.start) + inserted + value.slice(range.end);
    const caret = range.start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    if (option.kind === 'person') this.picked.set(option.id, option.name);
    if (option.kind === 'room') this.picked.set(option.id, option.id);
    // The composer sizes itself, saves the draft and says "typing" on input, as if typed.
    this.input.dispatchEvent(new Event('input', { bubbles: true }));
    // That input event looked at the text again: the caret now follows "@Name ", nothing to suggest.
    this.close();
  }
}

function insertText(option: Suggestion): string {
  switch (option.kind) {
    case 'person':
      return `@${option.name}`;
    case 'room':
      return `@${option.id}`;
    case 'channel':
      return `#${option.name}`;
    case 'emoji':
      return option.emoji;
  }
}

function optionContent(option: Suggestion): (Node | string)[] {
  switch (option.kind) {
    case 'person':
      return [
        h('span', { className: `presence${option.online ? ' online' : ''}`, attrs: { 'aria-hidden': 'true' } }),
        h('span', { className: 'option-main' }, option.name),
        h('span', { className: 'option-detail' }, option.online ? 'online' : 'offline'),
      ];
    case 'room':
      return [h('span', { className: 'option-main' }, `@${option.id}`), h('span', { className: 'option-detail' }, option.description)];
    case 'channel':
      return [
        h('span', { className: 'codicon codicon-symbol-numeric', attrs: { 'aria-hidden': 'true' } }),
        h('span', { className: 'option-main' }, option.name),
      ];
    case 'emoji':
      return [
        h('span', { className: 'option-emoji', attrs: { 'aria-hidden': 'true' } }, option.emoji),
        h('span', { className: 'option-main' }, `:${option.shortcode}:`),
        h('span', { className: 'option-detail' }, option.name),
      ];
  }
}
