import { GENERAL_CHANNEL } from '../net/protocol/conversationKeys';
import type { ChannelView } from './channelsModel';
import type { ConversationId } from './conversationTypes';
import { EVERYONE } from './conversationIds';
import { inert, InertText, joinInert } from './inertText';

/**
 * What the Peers view's Channels section shows: the channels the user is in (#general first),
 * then rows to browse and create channels. Pure, no VS Code. Names and topics are other people's
 * strings: every text the tree shows went through `inert`.
 */

/** The facts of a channel this section needs. */
export type ChannelFacts = Omit<ChannelView, 'members'>;

/** What a channel's context menu offers, as the tree item's contextValue (see package.json menus):
 *  its creator may also archive it. */
export type ChannelContext = 'channel' | 'channel.creator' | 'channel.general';

export interface ChannelNode {
  kind: 'channel';
  channelId: string;
  conversationId: ConversationId;
  /** The channel's name without '#', as the relay has it. */
  name: string;
  /** '#name'. */
  label: InertText;
  /** '2 mentions · 5 unread', or '' when everything is read. */
  description: InertText;
  /** Plain text, one fact a line. */
  tooltip: InertText;
  /** What a screen reader says: name, kind and counts. */
  accessibilityLabel: InertText;
  private: boolean;
  unread: number;
  mentions: number;
  context: ChannelContext;
}

/** "Browse Channels…" and "Create Channel…" at the end of the section. */
export interface ChannelActionNode {
  kind: 'channelAction';
  action: 'browse' | 'create';
  label: InertText;
  tooltip: InertText;
  command: string;
}

export type ChannelSectionNode = ChannelNode | ChannelActionNode;

const BROWSE: ChannelActionNode = {
  kind: 'channelAction',
  action: 'browse',
  label: inert`Browse Channels…`,
  tooltip: inert`Find the team's public channels and join one`,
  command: 'teamMessenger.browseChannels',
};

const CREATE: ChannelActionNode = {
  kind: 'channelAction',
  action: 'create',
  label: inert`Create Channel…`,
  tooltip: inert`Start a channel, public or private, with a name and a topic`,
  command: 'teamMessenger.createChannel',
};

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * The section's rows: the joined, non-archived channels (#general first, the rest by name), then
 * Browse and Create. #general is listed even before the relay has said what channels there are:
 * it exists from the start and everyone is in it; `generalUnread` counts its unread messages then.
 */
export function buildChannelSection(channels: Iterable<ChannelFacts>, generalUnread: number): ChannelSectionNode[] {
  const joined = [...channels].filter((c) => c.member && !c.archived);
  if (!joined.some(isGeneral)) joined.push(generalFallback(generalUnread));
  joined.sort((a, b) => Number(isGeneral(b)) - Number(isGeneral(a)) || collator.compare(a.name, b.name) || compareIds(a.id, b.id));
  return [...joined.map(channelNode), BROWSE, CREATE];
}

export function isGeneral(channel: Pick<ChannelFacts, 'id'>): boolean {
  return channel.id === GENERAL_CHANNEL;
}

function channelNode(c: ChannelFacts): ChannelNode {
  const general = isGeneral(c);
  const counts = countParts(c.unread, c.mentions);
  const kind = general ? 'the team-wide channel' : c.private ? 'private channel' : 'public channel';
  return {
    kind: 'channel',
    channelId: c.id,
    conversationId: c.conversationId,
    name: c.name,
    label: inert`#${c.name}`,
    description: inert(counts.join(' · ')),
    tooltip: lines([
      `#${c.name}`,
      general
        ? 'The team-wide channel: everyone on the relay is in it'
        : c.private
          ? 'Private: only its members see it; members add members'
          : 'Public: anyone on the team can find and join it',
      c.topic ? `Topic: ${c.topic}` : undefined,
      c.memberCount > 0 ? plural(c.memberCount, 'member') : undefined,
      counts.length > 0 ? counts.join(', ') : undefined,
    ]),
    accessibilityLabel: inert([`#${c.name}`, kind, ...counts].join(', ')),
    private: c.private,
    unread: c.unread,
    mentions: c.mentions,
    context: general ? 'channel.general' : c.creator ? 'channel.creator' : 'channel',
  };
}

/** ['2 mentions', '5 unread'], ['5 unread'], or [] when nothing is unread. */
function countParts(unread: number, mentions: number): string[] {
  const parts: string[] = [];
  if (mentions > 0) parts.push(plural(mentions, 'mention'));
  if (unread > 0) parts.push(`${unread} unread`);
  return parts;
}

function generalFallback(unread: number): ChannelFacts {
  return {
    id: GENERAL_CHANNEL,
    conversationId: EVERYONE,
    name: GENERAL_CHANNEL,
    topic: '',
    private: false,
    archived: false,
    createdBy: '',
    creator: false,
    member: true,
    memberCount: 0,
    unread,
    mentions: 0,
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** A tooltip: one fact a line, each line inert on its own (a topic cannot add lines). */
function lines(parts: Array<string | undefined>): InertText {
  return joinInert(
    parts.filter((p): p is string => p !== undefined).map((p) => inert(p, { maxChars: 300 })),
    '\n',
  );
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
