import { z } from 'zod';
import { ConversationLimits } from './conversationKeys';

/**
 * What a team lives in beyond single messages: channels, threads, edits and deletes, reactions,
 * read state, scrollback and search. Requests carry a number `n` that the answer echoes; a
 * refusal is an `error` whose ref is `req-<n>` (NOT_FOUND, FORBIDDEN, CONFLICT, BAD_MESSAGE).
 * A message or channel the asker may not see is NOT_FOUND, never FORBIDDEN: the relay does not
 * hint at conversations someone is not in.
 *
 * Conversations on the wire are named by a conversation key (conversationKeys.ts): `#<channel
 * id>` for a channel (#general for the team-wide room, where `to: 'all'` goes) and `@<id>,<id>…`
 * (every participant, sorted) for direct and group messages.
 */

const counter = z.number().int().nonnegative();
const clientId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a client id');
export const ChannelId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'not a channel id');
/** Checked for its form by channelNameProblem() (conversationKeys.ts) for a clear message. */
const channelName = z.string().min(1).max(ConversationLimits.channelNameChars);
const topic = z.string().max(ConversationLimits.topicChars);
export const ConversationKey = z.string().min(2).max(ConversationLimits.keyChars);
const messageId = z.string().min(1).max(96);
/** One emoji (a short grapheme sequence) or a `:shortcode:`. */
const emoji = z
  .string()
  .min(1)
  .max(ConversationLimits.emojiChars)
  .regex(/^[^\s\p{Cc}]+$/u, 'not an emoji');

// ---------------------------------------------------------------- shared shapes

export const ChannelInfo = z.object({
  id: ChannelId,
  name: channelName,
  topic,
  /** Private: only members see it; members add members. Public: anyone may browse and join. */
  private: z.boolean(),
  archived: z.boolean(),
  createdBy: z.string().max(64),
  createdAt: counter,
  memberCount: counter,
  /** Whether the one it is sent to is a member (the member list may be left out of big channels). */
  member: z.boolean().optional(),
  /** The members (client ids), to members of channels up to a few thousand people; absent for
   *  #general, whose members are everyone. */
  members: z.array(clientId).max(ConversationLimits.channelMembers).optional(),
});
export type ChannelInfo = z.infer<typeof ChannelInfo>;

export const Reaction = z.object({
  emoji,
  /** Who reacted, in the order they did. */
  by: z.array(clientId).max(ConversationLimits.reactionsBy),
});
export type Reaction = z.infer<typeof Reaction>;

/** What a thread's parent shows: how many replies, when the last came, who wrote them. */
export const ThreadSummary = z.object({
  count: counter,
  lastTs: counter,
  /** The latest distinct repliers, newest first (at most 5). */
  by: z.array(clientId).max(5),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

/** A file named in a message (an offer recorded in the conversation). */
export const MessageFile = z.object({ name: z.string().min(1).max(4096), size: counter });
export type MessageFile = z.infer<typeof MessageFile>;

/** A read marker: everything up to `seq` in `conv` is read (by `by`, when it is someone else). */
export const ReadMarker = z.object({ conv: ConversationKey, seq: counter, by: clientId.optional() });
export type ReadMarker = z.infer<typeof ReadMarker>;

// ---------------------------------------------------------------- client -> relay

/** Channel requests; each is answered with `channel-result` (the channel as it is now). */
export const ChannelCreate = z.object({
  t: z.literal('channel-create'),
  n: counter,
  name: channelName,
  private: z.boolean().optional(),
  topic: topic.optional(),
  /** Further members from the start (a private channel's creator adds whom it wants). */
  members: z.array(clientId).max(ConversationLimits.addMembers).optional(),
});
export type ChannelCreate = z.infer<typeof ChannelCreate>;

/** Join a public channel (a private one answers NOT_FOUND to non-members). */
export const ChannelJoin = z.object({ t: z.literal('channel-join'), n: counter, channel: ChannelId });
/** Leave a channel (not #general: everyone is in it). */
export const ChannelLeave = z.object({ t: z.literal('channel-leave'), n: counter, channel: ChannelId });
/** A member adds members (the only way into a private channel). */
export const ChannelAdd = z.object({
  t: z.literal('channel-add'),
  n: counter,
  channel: ChannelId,
  members: z.array(clientId).min(1).max(ConversationLimits.addMembers),
});
/** A member renames a channel or sets its topic; its creator archives or restores it. */
export const ChannelUpdate = z.object({
  t: z.literal('channel-update'),
  n: counter,
  channel: ChannelId,
  name: channelName.optional(),
  topic: topic.optional(),
  archived: z.boolean().optional(),
});
/** Every channel the asker may see: the public ones and the private ones it is in. */
export const ChannelList = z.object({ t: z.literal('channel-list'), n: counter });

/** Replaces the text of one's own message; answered with `done`. */
export const Edit = z.object({
  t: z.literal('edit'),
  n: counter,
  id: messageId,
  text: z
    .string()
    .min(1)
    .max(256 * 1024),
});
/** Deletes one's own message, leaving a tombstone; answered with `done`. */
export const Delete = z.object({ t: z.literal('delete'), n: counter, id: messageId });
/** Adds (`on`) or takes back one's reaction; answered with `done`. */
export const React = z.object({ t: z.literal('react'), n: counter, id: messageId, emoji, on: z.boolean() });

/**
 * Everything in `conv` up to `seq` is read by this identity (on whichever of its machines).
 * The relay keeps the highest. `receipt: false` keeps this identity's markers from the other
 * participants ("Seen by" turned off) until a read says `receipt: true`; without `receipt` the
 * setting stays as it was. Not answered.
 */
export const Read = z.object({ t: z.literal('read'), conv: ConversationKey, seq: counter, receipt: z.boolean().optional() });
export type Read = z.infer<typeof Read>;

/**
 * A page of a conversation's history, newest first from the relay's point of view but listed
 * oldest first: the `limit` messages before `before` (a seq; the newest without it), or after
 * `after`, or around message `around`. With `thread`: that message's replies instead of the
 * conversation's top-level messages. Answered with `history-result`.
 */
export const HistoryRequest = z.object({
  t: z.literal('history'),
  n: counter,
  conv: ConversationKey,
  before: counter.optional(),
  after: counter.optional(),
  around: messageId.optional(),
  thread: messageId.optional(),
  limit: z.number().int().min(1).max(ConversationLimits.pageMessages),
});
export type HistoryRequest = z.infer<typeof HistoryRequest>;

/**
 * A search over what the asker may read: words (each a word or the start of one, all present),
 * "quoted phrases", `from:<name or id>`, `in:#channel`, `in:@name`, `has:file`, `has:code`,
 * `before:`/`after:`/`on:` dates (YYYY-MM-DD, UTC). Newest first; `before` (a seq) continues
 * a previous answer. Answered with `search-result`.
 */
export const SearchRequest = z.object({
  t: z.literal('search'),
  n: counter,
  query: z.string().min(1).max(ConversationLimits.queryChars),
  limit: z.number().int().min(1).max(ConversationLimits.searchResults).optional(),
  before: counter.optional(),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

// ---------------------------------------------------------------- relay -> client

export const ChannelResult = z.object({ t: z.literal('channel-result'), n: counter, channel: ChannelInfo });
export const ChannelListResult = z.object({ t: z.literal('channel-list-result'), n: counter, channels: z.array(ChannelInfo).max(ConversationLimits.channels) });
/** A request that changes a message was stored (and the `update` about it sent). */
export const Done = z.object({ t: z.literal('done'), n: counter, seq: counter });

/**
 * A channel was created or changed (name, topic, archived, members). Sent to its members, and
 * for a public channel to everyone; to someone who just left or was never in a private one only
 * what they may know.
 */
export const ChannelChanged = z.object({ t: z.literal('channel'), channel: ChannelInfo });
export type ChannelChanged = z.infer<typeof ChannelChanged>;

/** Right after the welcome: the channels this identity sees, its read markers, and how far the
 *  others in its direct and small group conversations have read ("Seen by"). */
export const TeamState = z.object({
  t: z.literal('team-state'),
  channels: z.array(ChannelInfo).max(ConversationLimits.channels),
  reads: z.array(ReadMarker).max(ConversationLimits.readMarkers),
});
export type TeamState = z.infer<typeof TeamState>;

/** A read marker moved: this identity's own (another machine read), or another participant's
 *  in a direct or small group conversation (`by`). */
export const ReadState = z.object({ t: z.literal('read-state'), conv: ConversationKey, seq: counter, by: clientId.optional() });
export type ReadState = z.infer<typeof ReadState>;

export const SearchHit = z.object({ conv: ConversationKey });

export type ChannelRequest =
  | z.infer<typeof ChannelCreate>
  | z.infer<typeof ChannelJoin>
  | z.infer<typeof ChannelLeave>
  | z.infer<typeof ChannelAdd>
  | z.infer<typeof ChannelUpdate>
  | z.infer<typeof ChannelList>;
export type MessageChange = z.infer<typeof Edit> | z.infer<typeof Delete> | z.infer<typeof React>;
export type ChannelResult = z.infer<typeof ChannelResult>;
export type ChannelListResult = z.infer<typeof ChannelListResult>;
export type Done = z.infer<typeof Done>;
