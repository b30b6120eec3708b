import { channelOfKey, GENERAL_CHANNEL, GENERAL_KEY, participantsOfKey, peopleKey } from '../net/protocol/conversationKeys';
import { isClientId, Limits, Targets } from '../net/protocol/messages';
import type { ConversationId } from './conversationTypes';

/**
 * Conversation ids: 'all' (#general), `channel:<channelId>`, `peer:<clientId>`, or
 * `group:<id>,<id>,…` (members sorted, the user left out), made from and turned back into the
 * targets a message goes to and the relay's conversation keys (`#<channel>`, `@<ids>`).
 */

/** The team-wide channel, #general (messages to 'all'). */
export const EVERYONE: ConversationId = 'all';

export type ConversationKind = 'everyone' | 'channel' | 'peer' | 'group';

const CHANNEL_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The conversation of a channel; #general is 'all'. */
export function conversationIdForChannel(channelId: string): ConversationId {
  return channelId === GENERAL_CHANNEL ? EVERYONE : `channel:${channelId}`;
}

/** The channel a conversation is (GENERAL_CHANNEL for 'all'), or undefined for people. */
export function channelOf(id: ConversationId): string | undefined {
  if (id === EVERYONE) return GENERAL_CHANNEL;
  return id.startsWith('channel:') ? id.slice(8) : undefined;
}

/**
 * The conversation for a set of people: self and duplicates left out, the rest sorted, so the
 * same people always give the same id. Only self (or nobody) gives `peer:<self>` (notes to self).
 */
export function conversationIdForMembers(members: Iterable<string>, selfId: string): ConversationId {
  const others = [...new Set(members)].filter((id) => id !== selfId).sort(compareIds);
  if (others.length === 0) return `peer:${selfId}`;
  if (others.length === 1) return `peer:${others[0]}`;
  return `group:${others.join(',')}`;
}

/**
 * The conversation a message belongs to. Incoming: to 'all' → 'all'; to '#c' → channel:c; to
 * [self] from X → peer:X; to [self, Y] from X → the group {X, Y}. Outgoing (from self): to [X] →
 * peer:X; to [X, Y] → group.
 */
export function conversationIdFor(targets: Targets, from: string, selfId: string): ConversationId {
  if (targets === 'all') return EVERYONE;
  if (typeof targets === 'string') return conversationIdForChannel(targets.slice(1));
  return conversationIdForMembers([from, ...targets], selfId);
}

/** The relay's key for a conversation (conversationKeys.ts): '#general', '#<id>', '@<ids, self included>'. */
export function conversationKeyFor(id: ConversationId, selfId: string): string {
  const parsed = parseOrThrow(id);
  if (parsed.kind === 'everyone') return GENERAL_KEY;
  if (parsed.kind === 'channel') return `#${parsed.channel}`;
  return peopleKey([selfId, ...parsed.members]);
}

/** The conversation of a relay key, or undefined when it is not a valid key the user is in. */
export function conversationIdForKey(key: string, selfId: string): ConversationId | undefined {
  const channel = channelOfKey(key);
  if (channel !== undefined) return CHANNEL_ID.test(channel) ? conversationIdForChannel(channel) : undefined;
  const people = participantsOfKey(key);
  if (people.length === 0 || people.length > Limits.targets + 1 || !people.includes(selfId) || !people.every(isClientId)) return undefined;
  const id = conversationIdForMembers(people, selfId);
  return isConversationId(id, selfId) ? id : undefined;
}

type ParsedId = { kind: ConversationKind; members: string[]; channel?: string };

/**
 * Splits a conversation id, or undefined when it is not one in canonical form (a group's ids
 * must be valid client ids, sorted, distinct, at least two; #general is only ever 'all'). With
 * `selfId`, a group must also leave the user out.
 */
export function parseConversationId(id: unknown, selfId?: string): ParsedId | undefined {
  if (typeof id !== 'string') return undefined;
  if (id === EVERYONE) return { kind: 'everyone', members: [], channel: GENERAL_CHANNEL };
  if (id.startsWith('channel:')) {
    const channel = id.slice(8);
    return CHANNEL_ID.test(channel) && channel !== GENERAL_CHANNEL ? { kind: 'channel', members: [], channel } : undefined;
  }
  if (id.startsWith('peer:')) {
    const member = id.slice(5);
    return isClientId(member) ? { kind: 'peer', members: [member] } : undefined;
  }
  if (id.startsWith('group:')) {
    if (id.length > 6 + Limits.targets * 65) return undefined;
    const members = id.slice(6).split(',');
    if (members.length < 2 || members.length > Limits.targets) return undefined;
    for (let i = 0; i < members.length; i++) {
      if (!isClientId(members[i])) return undefined;
      if (i > 0 && compareIds(members[i - 1], members[i]) >= 0) return undefined; // unsorted or duplicate
      if (selfId !== undefined && members[i] === selfId) return undefined;
    }
    return { kind: 'group', members };
  }
  return undefined;
}

/** Whether `id` is a canonical conversation id (see parseConversationId). */
export function isConversationId(id: unknown, selfId?: string): id is ConversationId {
  return parseConversationId(id, selfId) !== undefined;
}

/** 'everyone' | 'channel' | 'peer' | 'group'; throws on an id that is not a conversation id. */
export function conversationKind(id: ConversationId): ConversationKind {
  return parseOrThrow(id).kind;
}

/** Whether the conversation is a channel (#general included). */
export function isChannelConversation(id: ConversationId): boolean {
  return channelOf(id) !== undefined;
}

/** The people in a conversation (client ids); [] for channels (their members change). Throws on an invalid id. */
export function membersOf(id: ConversationId): string[] {
  return parseOrThrow(id).members;
}

/** Where a message to this conversation goes. Throws on an invalid id. */
export function targetsFor(id: ConversationId): Targets {
  const parsed = parseOrThrow(id);
  if (parsed.kind === 'everyone') return 'all';
  if (parsed.kind === 'channel') return `#${parsed.channel}`;
  return parsed.members;
}

function parseOrThrow(id: ConversationId): ParsedId {
  const parsed = parseConversationId(id);
  if (!parsed) throw new TypeError(`not a conversation id: ${JSON.stringify(String(id).slice(0, 100))}`);
  return parsed;
}

/** Client ids in a stable order (plain code-unit order, the same on every machine). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
