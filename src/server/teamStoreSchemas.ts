import { z } from 'zod';
import { ChannelId, Reaction, ThreadSummary } from '../net/protocol/conversationMessages';
import { ConversationLimits } from '../net/protocol/conversationKeys';
import { Limits } from '../net/protocol/limits';

/**
 * What a team store reads back from outside the process (its journal on disk, another relay's
 * values in the cluster's bucket), checked before it is trusted: one shape for both.
 */

export const StoredSeq = z.number().int().nonnegative();
export const StoredClientId = z.string().min(1).max(64);

/** A channel without its members (the journal writes member changes as lines of their own). */
export const StoredChannelMeta = z.object({
  id: ChannelId,
  name: z.string().min(1).max(ConversationLimits.channelNameChars),
  topic: z.string().max(ConversationLimits.topicChars),
  private: z.boolean(),
  archived: z.boolean(),
  createdBy: z.string().max(64),
  createdAt: StoredSeq,
});

/** What changed on a stored message (teamStore.ts MessageState). */
export const StoredMessageState = z.object({
  text: z.string().max(Limits.textChars).optional(),
  edited: StoredSeq.optional(),
  deleted: z.literal(true).optional(),
  reactions: z.array(Reaction).max(ConversationLimits.reactionsPerMessage).optional(),
  replies: ThreadSummary.optional(),
  at: StoredSeq.optional(),
});
