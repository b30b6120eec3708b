import type { ComposerState } from '../chatProtocol';
import { byId } from './dom';
import { UrgentToggle } from './composerUrgent';

/** At most one "typing" notice per this interval while the user types. */
export const TYPING_THROTTLE_MS = 2_000;
/** The protocol's limit on a message's text (Limits.textChars; the extension checks it again). */
const MAX_TEXT_CHARS = 256 * 1024;
/** The textarea grows with its text up to this many pixels, then scrolls. */
const MAX_HEIGHT_PX = 200;

export interface ComposerEvents {
  /** `urgent`: the Urgent toggle was on (it is off again now). */
  send(text: string, urgent: boolean): void;
  typing(): void;
  draftChanged(text: string): void;
  /** The note's Connect… (shown while nothing can be sent). */
  connect(): void;
  /** Up arrow in the empty box: edit the user's last message; false when there is none. */
  editLast(): boolean;
  /** Images wait to go with the message: it may be sent without text. */
  hasAttachments?(): boolean;
}

/**
 * The message box. Enter sends, Shift+Enter is a new line, and Enter that ends an IME
 * composition only commits the composition; Up in the empty box edits the user's last message. Whitespace-only text is not sent. Offline the
 * message is still sent (the extension queues it as pending); while nothing can be sent at all
 * the text stays in the box and the note above it says why, with Connect… — typed text is never
 * cleared without being sent or queued.
 */
export class Composer {
  private readonly input = byId<HTMLTextAreaElement>('composer-input');
  private readonly sendButton = byId<HTMLButtonElement>('send');
  private readonly note = byId('composer-note');
  private readonly noteText = byId('composer-note-text');
  private readonly connectButton = byId<HTMLButtonElement>('composer-connect');
  private readonly urgent = new UrgentToggle(byId('composer'), this.sendButton);
  private lastTypingAt = -Infinity;
  private state: ComposerState = { mode: 'send', note: '' };

  constructor(private readonly events: ComposerEvents) {
    this.input.maxLength = MAX_TEXT_CHARS;
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.input.addEventListener('input', () => this.onInput());
    this.sendButton.addEventListener('click', () => {
      this.send();
      this.input.focus();
    });
    this.connectButton.addEventListener('click', () => events.connect());
  }

  /** Switch to a conversation (or none) with its saved draft; `readOnly` says why nothing can be written (an archived channel). */
  setConversation(conversationId: string | undefined, draft: string, placeholder: string, readOnly?: string): void {
    const enabled = conversationId !== undefined && readOnly === undefined;
    this.input.disabled = !enabled;
    this.input.value = enabled ? draft : '';
    this.input.placeholder = enabled ? placeholder : (readOnly ?? '');
    this.lastTypingAt = -Infinity;
    this.urgent.reset(enabled);
    this.refresh();
  }

  /** What Enter does now (from the connection), and the note that says so. */
  setState(state: ComposerState): void {
    this.state = state;
    this.note.hidden = state.mode === 'send';
    this.note.className = `composer-note mode-${state.mode}`;
    this.noteText.textContent = state.note;
    this.connectButton.hidden = state.mode !== 'blocked';
    this.refresh();
  }

  /** A message the extension could not keep: back into the box, before anything typed since. */
  restore(text: string): void {
    const current = this.input.value;
    this.input.value = current.trim() === '' ? text : `${text}\n${current}`;
    this.events.draftChanged(this.input.value);
    this.refresh();
    this.callAttention();
  }

  /** The images waiting to go changed: Send may now be possible (or not). */
  attachmentsChanged(): void {
    this.refresh();
  }

  focus(): void {
    if (!this.input.disabled) this.input.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'ArrowUp' && this.input.value === '' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      if (this.events.editLast()) event.preventDefault();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    // keyCode 229: the keydown that an IME swallows (Safari and some Chromium IMEs report it so).
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.send();
  }

  private onInput(): void {
    this.refresh();
    this.events.draftChanged(this.input.value);
    if (this.input.value.trim() === '') return;
    const now = Date.now();
    if (now - this.lastTypingAt >= TYPING_THROTTLE_MS) {
      this.lastTypingAt = now;
      this.events.typing();
    }
  }

  private send(): void {
    const text = tidy(this.input.value);
    if (this.input.disabled || (text === '' && !this.events.hasAttachments?.())) return;
    if (this.state.mode === 'blocked') {
      // Nothing can take the message now: it stays where it is, and the note says why.
      this.callAttention();
      return;
    }
    this.events.send(text, this.urgent.take());
    this.input.value = '';
    this.events.draftChanged('');
    this.refresh();
  }

  /** Says the note again (the status role reads it out) and marks it for a moment. */
  private callAttention(): void {
    if (this.note.hidden) return;
    this.note.classList.remove('attention');
    this.noteText.textContent = '';
    requestAnimationFrame(() => {
      this.noteText.textContent = this.state.note;
      this.note.classList.add('attention');
    });
  }

  /** Size to the text, and enable Send only when there is something it can send. */
  private refresh(): void {
    const empty = this.input.value.trim() === '' && !this.events.hasAttachments?.();
    this.sendButton.disabled = this.input.disabled || empty || this.state.mode === 'blocked';
    this.input.style.height = 'auto';
    const borders = this.input.offsetHeight - this.input.clientHeight;
    this.input.style.height = `${Math.min(this.input.scrollHeight + borders, MAX_HEIGHT_PX)}px`;
  }
}

/** Blank lines before and whitespace after the text go; indentation of the first line stays. */
export function tidy(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd();
}
