import { isClientId, Limits, Targets } from '../net/protocol/messages';
import type { ConversationId } from './conversationTypes';

/**
 * Conversation ids: 'all', `peer:<clientId>`, or `group:<id>,<id>,…` (members sorted, the user
 * left out), made from and turned back into the targets a message goes to.
 */

/** The conversation with everyone. */
export const EVERYONE: ConversationId = 'all';

export type ConversationKind = 'everyone' | 'peer' | 'group';

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
 * The conversation a message belongs to. Incoming: to 'all' → 'all'; to [self] from X → peer:X;
 * to [self, Y] from X → the group {X, Y}. Outgoing (from self): to [X] → peer:X; to [X, Y] → group.
 */
export function conversationIdFor(targets: Targets, from: string, selfId: string): ConversationId {
  if (targets === 'all') return EVERYONE;
  return conversationIdForMembers([from, ...targets], selfId);
}

/**
 * Splits a conversation id, or undefined when it is not one in canonical form (a group's ids
 * must be valid client ids, sorted, distinct, at least two). With `selfId`, a group must also
 * leave the user out.
 */
export function parseConversationId(id: unknown, selfId?: string): { kind: ConversationKind; members: string[] } | undefined {
  if (typeof id !== 'string') return undefined;
  if (id === EVERYONE) return { kind: 'everyone', members: [] };
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

/** 'everyone' | 'peer' | 'group'; throws on an id that is not a conversation id. */
export function conversationKind(id: ConversationId): ConversationKind {
  return parseOrThrow(id).kind;
}

/** The people in a conversation (client ids); [] for 'all'. Throws on an invalid id. */
export function membersOf(id: ConversationId): string[] {
  return parseOrThrow(id).members;
}

/** Where a message to this conversation goes. Throws on an invalid id. */
export function targetsFor(id: ConversationId): Targets {
  const parsed = parseOrThrow(id);
  return parsed.kind === 'everyone' ? 'all' : parsed.members;
}

function parseOrThrow(id: ConversationId): { kind: ConversationKind; members: string[] } {
  const parsed = parseConversationId(id);
  if (!parsed) throw new TypeError(`not a conversation id: ${JSON.stringify(String(id).slice(0, 100))}`);
  return parsed;
}

/** Code-unit order: stable across machines and locales (client ids are ASCII). */
/** Client ids in a stable order (plain code-unit order, the same on every machine). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
