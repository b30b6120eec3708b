import type { ConversationId } from './conversationTypes';
import type { HoldReason } from './notificationPolicy';

/** A held notice as the summary counts it. */
export interface HeldNotice {
  conversationId: ConversationId;
  /** '#deploys', 'bob', 'bob, carol'. */
  title: string;
  kind: 'channel' | 'direct' | 'group';
}

export interface HeldSummary {
  /** "While you were debugging: 5 messages in #deploys, 2 from bob". Holds peer names: through `inert` before any sink. */
  text: string;
  /** The conversation with the most held messages (the first named): where Show goes. */
  conversationId: ConversationId;
  count: number;
}

/** Conversations named one by one; the rest are counted together. */
export const NAMED_CONVERSATIONS = 3;

const OPENING: Record<HoldReason, string> = {
  debugging: 'While you were debugging',
  typing: 'While you were typing',
  busy: 'While you were busy',
  dnd: 'While Do Not Disturb was on',
};

/**
 * One line for the messages held while quiet mode, Busy or Do Not Disturb was on: per
 * conversation, most messages first (ties: the one that came first), at most NAMED_CONVERSATIONS
 * named. Undefined when nothing was held.
 */
export function summariseHeld(held: readonly HeldNotice[], reason: HoldReason): HeldSummary | undefined {
  if (held.length === 0) return undefined;
  const groups = new Map<ConversationId, { notice: HeldNotice; count: number }>();
  for (const notice of held) {
    const group = groups.get(notice.conversationId);
    if (group) group.count++;
    else groups.set(notice.conversationId, { notice, count: 1 });
  }
  // Map order is arrival order, and sort is stable: ties keep it.
  const ordered = [...groups.values()].sort((a, b) => b.count - a.count);
  const parts = ordered.slice(0, NAMED_CONVERSATIONS).map(({ notice, count }) => describeGroup(notice, count));
  const rest = ordered.slice(NAMED_CONVERSATIONS);
  if (rest.length > 0) {
    const messages = rest.reduce((sum, g) => sum + g.count, 0);
    parts.push(`${plural(messages, 'message')} in ${plural(rest.length, 'other conversation')}`);
  }
  return { text: `${OPENING[reason]}: ${parts.join(', ')}`, conversationId: ordered[0].notice.conversationId, count: held.length };
}

function describeGroup(notice: HeldNotice, count: number): string {
  if (notice.kind === 'direct') return `${count} from ${notice.title}`;
  return `${plural(count, 'message')} in ${notice.title}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
