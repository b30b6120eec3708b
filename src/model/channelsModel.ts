import { GENERAL_CHANNEL } from '../net/protocol/conversationKeys';
import { ChannelInfo } from '../net/protocol/conversationMessages';
import { channelOf, conversationIdForChannel, membersOf } from './conversationIds';
import type { ConversationId } from './conversationTypes';

/**
 * The channels the user knows of, as the views show them. The relay owns channels; this keeps
 * the latest it said (and what was saved from the last session, so titles and the Channels
 * section still read right while offline).
 */

export interface ChannelView {
  id: string;
  conversationId: ConversationId;
  name: string;
  topic: string;
  private: boolean;
  archived: boolean;
  /** Who created it (client id; '' for #general): only they may archive or restore it. */
  createdBy: string;
  /** The user created it (may archive and restore it). */
  creator: boolean;
  /** The user is in it (#general: always). */
  member: boolean;
  memberCount: number;
  /** Client ids; absent for #general (everyone). */
  members?: string[];
  unread: number;
  /** Unread messages that name the user ("@name"). */
  mentions: number;
}

/** The most channels kept (the relay's own cap). */
const MAX_CHANNELS = 10_000;

export class ChannelDirectory {
  private readonly byId = new Map<string, ChannelInfo>();

  /** Replaces what is known with what the relay says now; whether anything changed. */
  replaceAll(channels: Iterable<ChannelInfo>): boolean {
    const before = JSON.stringify([...this.byId.values()]);
    this.byId.clear();
    for (const channel of channels) if (this.byId.size < MAX_CHANNELS) this.byId.set(channel.id, channel);
    return JSON.stringify([...this.byId.values()]) !== before;
  }

  get(id: string): ChannelInfo | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<ChannelInfo> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}

/** A channel as the views show it, with its unread counts. */
export function channelView(info: ChannelInfo, selfId: string, counts: { unread: number; mentions: number }): ChannelView {
  return {
    id: info.id,
    conversationId: conversationIdForChannel(info.id),
    name: info.name,
    topic: info.topic,
    private: info.private,
    archived: info.archived,
    createdBy: info.createdBy,
    creator: info.createdBy !== '' && info.createdBy === selfId,
    member: isMember(info, selfId),
    memberCount: info.memberCount,
    ...(info.members ? { members: [...info.members] } : {}),
    unread: counts.unread,
    mentions: counts.mentions,
  };
}

/** Whether the user is in the channel: everyone is in #general; the relay says so for each
 *  receiver (`member`), and lists members only to members, of channels that are not too big. */
export function isMember(info: ChannelInfo, selfId: string): boolean {
  if (info.id === GENERAL_CHANNEL) return true;
  return info.member ?? info.members?.includes(selfId) ?? false;
}

/** #general first, then by name. */
export function compareChannels(a: ChannelView, b: ChannelView): number {
  if (a.id === GENERAL_CHANNEL || b.id === GENERAL_CHANNEL) return a.id === GENERAL_CHANNEL ? (b.id === GENERAL_CHANNEL ? 0 : -1) : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether `text` names the user as "@name" (any case), not as part of a longer word. */
export function mentions(text: string, name: string): boolean {
  const wanted = name.trim().toLowerCase();
  if (!wanted) return false;
  const lower = text.toLowerCase();
  for (let at = lower.indexOf(`@${wanted}`); at >= 0; at = lower.indexOf(`@${wanted}`, at + 1)) {
    const before = at === 0 ? '' : lower[at - 1];
    const after = lower[at + 1 + wanted.length] ?? '';
    if (!WORD.test(before) && !WORD.test(after)) return true;
  }
  return false;
}

const WORD = /[\p{L}\p{N}_]/u;

/** Saved channels read back: each checked on its own, the bad ones left out. */
export function restoredChannels(value: unknown): ChannelInfo[] {
  if (!Array.isArray(value)) throw new Error('not a list of channels');
  const out: ChannelInfo[] = [];
  for (const item of value.slice(0, MAX_SAVED_CHANNELS) as unknown[]) {
    const parsed = ChannelInfo.safeParse(item);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** What is saved between sessions: the channels the user is in (what titles and the Channels
 *  section need offline), member lists only when short. */
export function channelsToSave(channels: Iterable<ChannelInfo>, selfId: string): ChannelInfo[] {
  const out: ChannelInfo[] = [];
  for (const info of channels) {
    if (out.length >= MAX_SAVED_CHANNELS || !isMember(info, selfId)) continue;
    const members = info.members && info.members.length > MAX_SAVED_MEMBERS ? [selfId] : info.members;
    out.push({ ...info, ...(members ? { members: [...members] } : {}) });
  }
  return out;
}

const MAX_SAVED_CHANNELS = 1000;
const MAX_SAVED_MEMBERS = 100;
/** The longest saved channels written: each at most ~8,000 characters (members, name, topic). */
export const MAX_SAVED_CHANNELS_JSON = MAX_SAVED_CHANNELS * 8_000;

/** What a conversation is called: '#general', '#deploys', 'Bob', 'Bob, Carol'. */
export function conversationTitle(
  id: ConversationId,
  names: { nameOf(clientId: string): string; channel(channelId: string): ChannelInfo | undefined },
): string {
  const channelId = channelOf(id);
  if (channelId !== undefined) return `#${names.channel(channelId)?.name ?? channelId}`;
  return membersOf(id)
    .map((m) => names.nameOf(m))
    .join(', ');
}
