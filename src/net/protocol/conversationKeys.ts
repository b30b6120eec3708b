/**
 * Conversation keys, channel names and the limits of conversations: what the relay, the client,
 * the CLI and the webview agree on. No zod and no Node here (the webview imports it).
 *
 * A conversation key names a conversation the same way for everyone in it:
 * - `#<channel id>` for a channel; `#general` is the team-wide room (messages `to: 'all'`);
 * - `@<id>,<id>…` for direct and group messages: every participant's client id (the sender's
 *   included), distinct and sorted in code-unit order; `@<id>` alone is notes to oneself.
 */

export const ConversationLimits = {
  channelNameChars: 80,
  topicChars: 250,
  /** A group key holds up to 257 ids of up to 64 characters. */
  keyChars: 20_000,
  emojiChars: 64,
  channelMembers: 100_000,
  addMembers: 1000,
  reactionsBy: 10_000,
  /** Distinct emoji on one message. */
  reactionsPerMessage: 50,
  pageMessages: 500,
  queryChars: 500,
  searchResults: 100,
  channels: 10_000,
  readMarkers: 100_000,
  /** Read receipts ("Seen by") are kept for conversations of at most this many people. */
  receiptMembers: 9,
} as const;

/** The team-wide channel: everyone is in it and nobody leaves it. */
export const GENERAL_CHANNEL = 'general';
export const GENERAL_KEY = '#general';

const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Why `name` cannot name a channel (in words), or undefined when it can. */
export function channelNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a channel needs a name';
  if (name.length > ConversationLimits.channelNameChars) return `a channel name is at most ${ConversationLimits.channelNameChars} characters`;
  if (name.startsWith('#')) return 'leave out the "#" in a channel name';
  if (!CHANNEL_NAME.test(name)) return 'a channel name is lowercase letters, digits, "-" and "_", starting with a letter or digit';
  return undefined;
}

/** What people type for a channel ("#Deploys ", "deploys") as a name to check, trimmed and lowercased. */
export function normaliseChannelName(typed: string): string {
  return typed.trim().replace(/^#/, '').toLowerCase();
}

export function channelKey(channelId: string): string {
  return `#${channelId}`;
}

/** The key of the direct or group conversation between these people (the user included). */
export function peopleKey(participants: Iterable<string>): string {
  const ids = [...new Set(participants)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `@${ids.join(',')}`;
}

/** The key of the conversation a message `to` these targets `from` someone belongs to. */
export function conversationKeyOf(to: 'all' | string | readonly string[], from: string): string {
  if (to === 'all') return GENERAL_KEY;
  if (typeof to === 'string') return to; // '#<channel id>'
  return peopleKey([from, ...to]);
}

/** The channel id of a channel key, or undefined for a people key. */
export function channelOfKey(key: string): string | undefined {
  return key.startsWith('#') ? key.slice(1) : undefined;
}

/** The participants of a people key ([] for a channel key). */
export function participantsOfKey(key: string): string[] {
  return key.startsWith('@') ? key.slice(1).split(',') : [];
}

/** The seq in a relay message id (`<epoch>-<seq>`), or undefined when it is not one. */
export function seqOfMessageId(id: string): number | undefined {
  const dash = id.lastIndexOf('-');
  if (dash < 1) return undefined;
  const digits = id.slice(dash + 1);
  if (!/^[1-9][0-9]{0,15}$/.test(digits)) return undefined;
  const seq = Number(digits);
  return Number.isSafeInteger(seq) ? seq : undefined;
}
