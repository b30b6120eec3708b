/**
 * Tells the extension about a conversation's draft (text and staged images) a moment after the
 * user stops changing it, and at once before another conversation's draft: the extension keeps
 * drafts across reloads and for a page that starts afresh. The page's own state has the text
 * at every keystroke; this is the copy that outlives the page.
 */

/** How long typing may pause before the draft is passed on. */
export const DRAFT_DELAY_MS = 600;

export interface DraftParts {
  text: string;
  attachments: string[];
}

export class DraftSync {
  private pending: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly read: (conversationId: string) => DraftParts,
    private readonly save: (conversationId: string, draft: DraftParts) => void,
  ) {}

  /** The draft of `conversationId` changed; `now`: pass it on without waiting (images, a send). */
  changed(conversationId: string, now = false): void {
    if (this.pending !== undefined && this.pending !== conversationId) this.flush();
    this.pending = conversationId;
    clearTimeout(this.timer);
    if (now) this.flush();
    else this.timer = setTimeout(() => this.flush(), DRAFT_DELAY_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    const id = this.pending;
    this.pending = undefined;
    if (id !== undefined) this.save(id, this.read(id));
  }
}
