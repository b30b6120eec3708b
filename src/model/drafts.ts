import { z } from 'zod';
import type { Logger } from '../net/logger';
import { Limits } from '../net/protocol/limits';
import { Attachment } from '../net/protocol/richMessages';
import type { ConversationId } from './conversationTypes';
import { jsonLength, KeyValueStore, SavedPart, SavedState } from './savedState';

/** What the user has started writing in a conversation and not sent. */
export interface Draft {
  text: string;
  /** Images pasted into the composer (their bytes are in the attachment store). */
  attachments: Attachment[];
}

/** Conversations with a draft kept, and their saved size; the least recently changed go first. */
const MAX_DRAFTS = 50;
const MAX_CHARS = 4_000_000;
const KEY = 'teamMessenger.drafts';

const SavedDrafts = z.array(
  z.tuple([
    z.string().min(1).max(20_000),
    z.object({ text: z.string().max(Limits.textChars), attachments: z.array(Attachment).max(Limits.attachmentsPerMessage) }),
  ]),
);

const PART: SavedPart<z.infer<typeof SavedDrafts>> = {
  what: 'composer drafts',
  instead: 'starting with none',
  maxChars: MAX_CHARS,
  parse: (value) => SavedDrafts.parse(value),
};

/**
 * Unsent drafts per conversation, kept in the workspace's state so they outlive the chat panel
 * (closed, or its page dropped) and window reloads. The webview keeps its own copy for a page
 * that is merely re-shown; this one is what a fresh page starts from. Bounded; no `vscode`.
 */
export class Drafts {
  private readonly drafts = new Map<ConversationId, Draft>();
  private readonly saved: SavedState;

  constructor(state: KeyValueStore, logger: Logger) {
    this.saved = new SavedState(state, logger);
    const loaded = this.saved.read(KEY, PART);
    for (const [id, draft] of loaded ?? []) this.drafts.set(id, draft);
  }

  get(conversationId: ConversationId): Draft | undefined {
    return this.drafts.get(conversationId);
  }

  /** Every draft, most recently changed last. */
  all(): [ConversationId, Draft][] {
    return [...this.drafts];
  }

  /** Keeps the draft (an empty one is forgotten) and saves. */
  set(conversationId: ConversationId, draft: Draft): void {
    const before = this.drafts.get(conversationId);
    if (before && sameDraft(before, draft)) return;
    this.drafts.delete(conversationId);
    if (draft.text !== '' || draft.attachments.length > 0) this.drafts.set(conversationId, draft);
    while (this.drafts.size > MAX_DRAFTS || (this.drafts.size > 1 && (jsonLength([...this.drafts]) ?? 0) > MAX_CHARS)) {
      this.drafts.delete(this.drafts.keys().next().value!);
    }
    void this.saved.write(KEY, [...this.drafts], PART);
  }
}

function sameDraft(a: Draft, b: Draft): boolean {
  return a.text === b.text && a.attachments.length === b.attachments.length && a.attachments.every((x, i) => x.id === b.attachments[i]!.id);
}
