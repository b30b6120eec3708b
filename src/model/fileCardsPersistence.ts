import { z } from 'zod';
import type { Logger } from '../net/logger';
import { isConversationId } from './conversationIds';
import type { FileCardState } from './fileCardTypes';
import { KeyValueStore, SavedPart, SavedState } from './savedState';

/**
 * The finished file cards, kept per identity between sessions: a reload still shows where a
 * received file was saved, or that an offer was declined. Only outcomes are kept (a transfer in
 * progress does not survive its connection). Read back field by field: a card that does not
 * read is dropped, the others stay.
 */

/** What is kept of a card: its facts; the words are made again when it is read. */
export interface SavedCard {
  direction: 'in' | 'out';
  conversationId: string;
  peerName: string;
  ts: number;
  what: string;
  size: string;
  state: Extract<FileCardState, 'done' | 'declined' | 'cancelled' | 'expired' | 'failed'>;
  total: number;
  endedBy?: 'you' | 'peer' | 'connection';
  reason?: string;
  saved?: { name: string; path: string; folder: boolean; offeredName?: string }[];
  moreSaved?: number;
  folder?: string;
  /** The message that records the offer (see FileCard.messageId). */
  messageId?: string;
}

/** Cards kept in all; the newest are kept when there are more. */
export const MAX_SAVED_CARDS = 500;
const text = (max: number) => z.string().max(max);

const SavedCardSchema = z.object({
  direction: z.enum(['in', 'out']),
  conversationId: text(2000).refine((id) => isConversationId(id), 'not a conversation id'),
  peerName: text(200),
  ts: z.number().finite(),
  what: text(1200),
  size: text(40),
  state: z.enum(['done', 'declined', 'cancelled', 'expired', 'failed']),
  total: z.number().finite().nonnegative(),
  endedBy: z.enum(['you', 'peer', 'connection']).optional(),
  reason: text(600).optional(),
  saved: z
    .array(z.object({ name: text(1200), path: text(8000), folder: z.boolean(), offeredName: text(1200).optional() }))
    .max(20)
    .optional(),
  moreSaved: z.number().int().nonnegative().optional(),
  folder: text(8000).optional(),
  messageId: text(96).optional(),
});

const PART: SavedPart<SavedCard[]> = {
  what: 'saved file cards',
  instead: 'starting with none',
  maxChars: 4_000_000,
  parse: (value) =>
    z
      .array(z.unknown())
      .parse(value)
      .slice(-MAX_SAVED_CARDS)
      .flatMap((one) => {
        const read = SavedCardSchema.safeParse(one);
        return read.success ? [read.data as SavedCard] : [];
      }),
};

export class FileCardsPersistence {
  private readonly saved: SavedState;

  constructor(state: KeyValueStore, logger: Logger) {
    this.saved = new SavedState(state, logger);
  }

  load(selfId: string): SavedCard[] {
    return this.saved.read(cardsKey(selfId), PART) ?? [];
  }

  /** Oldest first; only the newest MAX_SAVED_CARDS are written. */
  save(selfId: string, cards: readonly SavedCard[]): void {
    void this.saved.write(cardsKey(selfId), cards.slice(-MAX_SAVED_CARDS), PART);
  }
}

function cardsKey(selfId: string): string {
  return `teamMessenger.fileCards.${selfId}`;
}
