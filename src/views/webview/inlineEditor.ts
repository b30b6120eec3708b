import { button, h } from './dom';

/** The protocol's limit on a message's text (Limits.textChars; the extension checks it again). */
const MAX_TEXT_CHARS = 256 * 1024;
const MAX_HEIGHT_PX = 240;

/**
 * Editing one's own message in place: a text box with the message's text where the text was.
 * Enter saves, Shift+Enter is a new line, Esc cancels; Save and Cancel buttons do the same.
 * The element lives across re-renders of its row, so the text and caret survive updates.
 */
export class InlineEditor {
  readonly el: HTMLElement;
  private readonly input: HTMLTextAreaElement;

  constructor(
    readonly messageId: string,
    private readonly original: string,
    private readonly save: (text: string) => void,
    private readonly cancel: () => void,
  ) {
    this.input = h('textarea', { className: 'inline-editor-input', attrs: { 'aria-label': 'Edit message', rows: '1' } });
    this.input.maxLength = MAX_TEXT_CHARS;
    this.input.value = original;
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.input.addEventListener('input', () => this.fit());
    this.el = h(
      'div',
      { className: 'inline-editor' },
      this.input,
      h(
        'div',
        { className: 'inline-editor-hint' },
        h('span', {}, 'Enter to save · Esc to cancel'),
        button('text-button secondary', 'Cancel editing', ['Cancel'], () => this.cancel()),
        button('text-button primary', 'Save changes', ['Save'], () => this.commit()),
      ),
    );
  }

  focus(): void {
    this.input.focus();
    const end = this.input.value.length;
    this.input.setSelectionRange(end, end);
    this.fit();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.cancel();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.commit();
  }

  /** Saves a changed, non-empty text; an unchanged one just ends the edit. */
  private commit(): void {
    const text = this.input.value.trimEnd();
    if (text.trim() === '') {
      this.input.focus();
      return;
    }
    if (text === this.original) this.cancel();
    else this.save(text);
  }

  private fit(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, MAX_HEIGHT_PX)}px`;
  }
}
