import { button, h } from './dom';

/** The common reactions (a full picker comes later); each with the name a screen reader says. */
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

/**
 * A small popup of common emoji beside the button that opened it. Arrow keys move between
 * them, Enter or a click picks one, Escape or a click elsewhere closes it; the focus goes back
 * to the button that opened it.
 */
export class EmojiPicker {
  private readonly el: HTMLElement;
  private readonly buttons: HTMLButtonElement[];
  private onPick: ((emoji: string) => void) | undefined;
  private opener: HTMLElement | undefined;

  constructor() {
    this.buttons = COMMON_EMOJI.map(({ emoji, name }) => button('emoji-choice', `React with ${name} ${emoji}`, [emoji], () => this.pick(emoji), `${name}`));
    this.el = h('div', { className: 'emoji-picker', attrs: { role: 'dialog', 'aria-label': 'Add reaction' } }, ...this.buttons);
    this.el.hidden = true;
    this.el.addEventListener('keydown', (event) => this.onKey(event));
    this.el.addEventListener('focusout', (event) => {
      if (!this.el.contains(event.relatedTarget as Node | null)) this.close(false);
    });
    document.addEventListener('mousedown', (event) => {
      if (!this.el.hidden && !this.el.contains(event.target as Node)) this.close(false);
    });
    document.body.appendChild(this.el);
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  open(opener: HTMLElement, onPick: (emoji: string) => void): void {
    this.opener = opener;
    this.onPick = onPick;
    this.el.hidden = false;
    const rect = opener.getBoundingClientRect();
    const width = this.el.offsetWidth;
    const height = this.el.offsetHeight;
    const below = rect.bottom + 4 + height <= window.innerHeight;
    this.el.style.top = `${Math.max(4, below ? rect.bottom + 4 : rect.top - 4 - height)}px`;
    this.el.style.left = `${Math.max(4, Math.min(rect.right - width, window.innerWidth - width - 4))}px`;
    this.buttons[0]!.focus();
  }

  close(restoreFocus = true): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    this.onPick = undefined;
    const opener = this.opener;
    this.opener = undefined;
    if (restoreFocus && opener?.isConnected) opener.focus();
  }

  private pick(emoji: string): void {
    const onPick = this.onPick;
    this.close();
    onPick?.(emoji);
  }

  private onKey(event: KeyboardEvent): void {
    const index = this.buttons.indexOf(document.activeElement as HTMLButtonElement);
    let next: number | undefined;
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.close();
      return;
    }
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (index + 1) % this.buttons.length;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = (index - 1 + this.buttons.length) % this.buttons.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = this.buttons.length - 1;
    else if (event.key === 'Tab') {
      // A popup: Tab leaves it, and it closes.
      this.close();
      return;
    }
    if (next === undefined) return;
    event.preventDefault();
    this.buttons[next]!.focus();
  }
}
