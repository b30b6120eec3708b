import { z } from 'zod';
import type { Logger } from '../net/logger';
import { isConversationId } from './conversationIds';
import type { ConversationId } from './conversationTypes';
import { Emitter } from './lifecycle';
import { isNotifyLevel, NotifyLevel } from './notificationPolicy';
import { KeyValueStore, SavedPart, SavedState } from './savedState';

const KEY = 'teamMessenger.notifyLevels';

/** More conversations than anyone sets a level for; the oldest settings go first beyond it. */
export const MAX_LEVELS = 2000;

const LEVELS: SavedPart<[ConversationId, NotifyLevel][]> = {
  what: 'conversation notification settings',
  instead: 'every conversation notifies as the settings say',
  maxChars: MAX_LEVELS * 120,
  parse: (value) =>
    z
      .array(z.tuple([z.string().refine((id) => isConversationId(id), 'not a conversation id'), z.enum(['all', 'mentions', 'muted'])]))
      .max(MAX_LEVELS)
      .parse(value) as [ConversationId, NotifyLevel][],
};

/**
 * The notification level the user chose per conversation (Mute, Mentions Only, All Messages),
 * kept across sessions. A conversation without one follows the settings' default for its kind.
 */
export class ConversationLevels {
  private readonly saved: SavedState;
  private readonly levels: Map<ConversationId, NotifyLevel>;
  private readonly changed = new Emitter<ConversationId>();
  readonly onDidChange = this.changed.event;

  constructor(state: KeyValueStore, logger: Logger) {
    this.saved = new SavedState(state, logger);
    this.levels = new Map(this.saved.read(KEY, LEVELS) ?? []);
  }

  /** The level the user chose for the conversation, or undefined (the default applies). */
  get(conversationId: ConversationId): NotifyLevel | undefined {
    return this.levels.get(conversationId);
  }

  /** Sets (or with undefined, forgets) the conversation's level and saves it. */
  set(conversationId: ConversationId, level: NotifyLevel | undefined): void {
    if (!isConversationId(conversationId)) throw new Error(`Not a conversation: ${String(conversationId)}`);
    if (level !== undefined && !isNotifyLevel(level)) throw new Error(`Not a notification level: ${String(level)}`);
    if (this.levels.get(conversationId) === level) return;
    // The newest last, so the oldest are the ones cut beyond MAX_LEVELS.
    this.levels.delete(conversationId);
    if (level !== undefined) this.levels.set(conversationId, level);
    while (this.levels.size > MAX_LEVELS) this.levels.delete(this.levels.keys().next().value as ConversationId);
    void this.saved.write(KEY, [...this.levels], LEVELS);
    this.changed.fire(conversationId);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
