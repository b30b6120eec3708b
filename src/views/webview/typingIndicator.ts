import { byId } from './dom';

/** A typing notice is shown this long after the last one for a conversation. */
export const TYPING_SHOW_MS = 4_000;

/** "bob is typing…" under the messages of the selected conversation, gone after a quiet spell. */
export class TypingIndicator {
  private readonly el = byId('typing');
  private readonly byConversation = new Map<string, { names: string[]; until: number }>();
  private shownId: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  update(conversationId: string, names: string[]): void {
    if (names.length === 0) this.byConversation.delete(conversationId);
    else this.byConversation.set(conversationId, { names, until: Date.now() + TYPING_SHOW_MS });
    if (conversationId === this.shownId) this.paint();
  }

  /** A message from someone ends their typing notice. */
  stopped(conversationId: string, name: string): void {
    const entry = this.byConversation.get(conversationId);
    if (!entry) return;
    this.update(
      conversationId,
      entry.names.filter((n) => n !== name),
    );
  }

  show(conversationId: string | undefined): void {
    this.shownId = conversationId;
    this.paint();
  }

  private paint(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entry = this.shownId === undefined ? undefined : this.byConversation.get(this.shownId);
    const left = entry ? entry.until - Date.now() : 0;
    if (!entry || left <= 0) {
      if (this.shownId !== undefined) this.byConversation.delete(this.shownId);
      this.el.textContent = '';
      this.el.classList.remove('visible');
      return;
    }
    const text = typingText(entry.names);
    // Unchanged text is left alone, so the live region does not repeat itself.
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.classList.add('visible');
    this.timer = setTimeout(() => this.paint(), left);
  }
}

export function typingText(names: string[]): string {
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}
