import { randomToken } from '../net/randomToken';
import { ErrorCode } from '../net/protocol/errors';
import type { ChannelCreate, ChannelInfo } from '../net/protocol/conversationMessages';
import { channelNameProblem, ConversationLimits, GENERAL_CHANNEL, GENERAL_KEY, normaliseChannelName } from '../net/protocol/conversationKeys';
import { notFound, Refusal } from './requestRefusal';
import type { ChannelRecord, TeamStore } from './teamStore';

/** A channel's member list goes on the wire up to this size; beyond, only its count (a frame
 *  must fit the client's limit, and 100,000 ids do not). */
export const MEMBERS_ON_WIRE = 5000;

/** What the rules need to know of the team's identities. */
export interface KnownIdentities {
  has(clientId: string): boolean;
  readonly size: number;
}

/** A change the rules allowed: the channel before (absent when new) and after. */
export interface ChannelChange {
  before: ChannelRecord | undefined;
  after: ChannelRecord;
  /** False when the request changed nothing (joining a channel one is in, say). */
  changed: boolean;
}

/**
 * The rules of channels: who may see, read, write, join, leave, add to, rename, set the topic
 * of and archive which channel, over the team store. Nothing here talks to a connection
 * (channelRequests.ts does); each rule returns the change to store, or a Refusal.
 *
 * A private channel is seen only by its members; to anyone else it does not exist (NOT_FOUND,
 * never FORBIDDEN). #general holds everyone, cannot be left, renamed or archived.
 */
export class Channels {
  constructor(
    private readonly store: TeamStore,
    private readonly identities: KnownIdentities,
    private readonly newId: () => string = () => randomToken(9),
  ) {}

  /** Whether `clientId` may read conversation `conv` (a channel or people key). */
  canRead(clientId: string, conv: string): boolean {
    if (conv === GENERAL_KEY) return true;
    if (conv.startsWith('#')) return this.store.channel(conv.slice(1))?.members.has(clientId) ?? false;
    if (!conv.startsWith('@')) return false;
    return conv.slice(1).split(',').includes(clientId);
  }

  /** The channel `clientId` may post to, or why not (unknown and unreadable alike: NOT_FOUND). */
  writable(clientId: string, channelId: string): ChannelRecord | Refusal {
    const channel = this.store.channel(channelId);
    if (!channel || (channelId !== GENERAL_CHANNEL && !channel.members.has(clientId))) {
      // A public channel is no secret: say what to do about it.
      return channel && !channel.private ? new Refusal(ErrorCode.NotFound, `you are not in #${channel.name}; join it first`) : notFound('channel');
    }
    if (channel.archived) return new Refusal(ErrorCode.Conflict, `#${channel.name} is archived`);
    return channel;
  }

  /** Whether `clientId` sees the channel at all (every public one; private ones it is in). */
  sees(clientId: string, channel: ChannelRecord): boolean {
    return !channel.private || channel.id === GENERAL_CHANNEL || channel.members.has(clientId);
  }

  /** Every channel `clientId` sees, archived ones included. */
  visibleTo(clientId: string): ChannelRecord[] {
    const out: ChannelRecord[] = [];
    for (const channel of this.store.channels()) if (this.sees(clientId, channel)) out.push(channel);
    return out;
  }

  /** The channel `clientId` sees by this name (as typed: "#Deploys" works), a live one first. */
  byName(typed: string, clientId: string): ChannelRecord | undefined {
    const name = normaliseChannelName(typed);
    let archived: ChannelRecord | undefined;
    for (const channel of this.store.channels()) {
      if (channel.name !== name || !this.sees(clientId, channel)) continue;
      if (!channel.archived) return channel;
      archived ??= channel;
    }
    return archived;
  }

  /** The channel as `clientId` is told about it: its members only to a member. */
  info(channel: ChannelRecord, clientId: string): ChannelInfo {
    return this.infoOf(channel, channel.members.has(clientId));
  }

  /** The channel for the wire as a member (`withMembers`) or someone else sees it: whether they
   *  are in it, and to a member the member list when it is not too long. */
  infoOf(channel: ChannelRecord, withMembers: boolean): ChannelInfo {
    const general = channel.id === GENERAL_CHANNEL;
    const info: ChannelInfo = {
      id: channel.id,
      name: channel.name,
      topic: channel.topic,
      private: channel.private,
      archived: channel.archived,
      createdBy: channel.createdBy,
      createdAt: channel.createdAt,
      memberCount: general ? this.identities.size : channel.members.size,
      member: general || withMembers,
    };
    if (!general && withMembers && channel.members.size <= MEMBERS_ON_WIRE) info.members = [...channel.members];
    return info;
  }

  create(clientId: string, request: Omit<ChannelCreate, 't' | 'n'>, now = Date.now()): ChannelChange | Refusal {
    const problem = channelNameProblem(request.name);
    if (problem) return new Refusal(ErrorCode.BadMessage, problem);
    let count = 0;
    for (const channel of this.store.channels()) {
      count++;
      if (!channel.archived && channel.name === request.name) return taken(request.name);
    }
    if (count >= ConversationLimits.channels) return new Refusal(ErrorCode.Conflict, `the relay holds ${count} channels, as many as it may`);
    const members = new Set([clientId, ...(request.members ?? [])]);
    const unknown = this.unknownOf(members);
    if (unknown) return unknown;
    let id = this.newId();
    while (this.store.channel(id)) id = this.newId();
    const after: ChannelRecord = {
      id,
      name: request.name,
      topic: request.topic ?? '',
      private: request.private ?? false,
      archived: false,
      createdBy: clientId,
      createdAt: now,
      members,
    };
    return { before: undefined, after, changed: true };
  }

  join(clientId: string, channelId: string): ChannelChange | Refusal {
    const channel = this.seen(clientId, channelId);
    if (channel instanceof Refusal) return channel;
    if (channel.id === GENERAL_CHANNEL || channel.members.has(clientId)) return unchanged(channel);
    if (channel.archived) return new Refusal(ErrorCode.Conflict, `#${channel.name} is archived`);
    return this.withMembers(channel, [clientId]);
  }

  leave(clientId: string, channelId: string): ChannelChange | Refusal {
    const channel = this.seen(clientId, channelId);
    if (channel instanceof Refusal) return channel;
    if (channel.id === GENERAL_CHANNEL) return new Refusal(ErrorCode.Conflict, 'everyone is in #general; it cannot be left');
    if (!channel.members.has(clientId)) return unchanged(channel);
    const members = new Set(channel.members);
    members.delete(clientId);
    return { before: channel, after: { ...channel, members }, changed: true };
  }

  add(clientId: string, channelId: string, ids: readonly string[]): ChannelChange | Refusal {
    const channel = this.memberOf(clientId, channelId);
    if (channel instanceof Refusal) return channel;
    if (channel.id === GENERAL_CHANNEL) return new Refusal(ErrorCode.Conflict, 'everyone is in #general already');
    if (channel.archived) return new Refusal(ErrorCode.Conflict, `#${channel.name} is archived`);
    const unknown = this.unknownOf(ids);
    if (unknown) return unknown;
    const added = ids.filter((id) => !channel.members.has(id));
    return added.length === 0 ? unchanged(channel) : this.withMembers(channel, added);
  }

  /** Rename, topic (members), archive or restore (its creator). */
  update(clientId: string, channelId: string, changes: { name?: string; topic?: string; archived?: boolean }): ChannelChange | Refusal {
    const channel = this.memberOf(clientId, channelId);
    if (channel instanceof Refusal) return channel;
    const general = channel.id === GENERAL_CHANNEL;
    const renamed = changes.name !== undefined && changes.name !== channel.name;
    const archiving = changes.archived !== undefined && changes.archived !== channel.archived;
    if (general && renamed) return new Refusal(ErrorCode.Conflict, '#general cannot be renamed');
    if (general && archiving) return new Refusal(ErrorCode.Conflict, '#general cannot be archived');
    if (archiving && channel.createdBy !== clientId) return new Refusal(ErrorCode.Forbidden, `only the creator of #${channel.name} may archive or restore it`);
    const archived = changes.archived ?? channel.archived;
    const retitled = renamed || (changes.topic !== undefined && changes.topic !== channel.topic);
    if (archived && retitled) return new Refusal(ErrorCode.Conflict, `#${channel.name} is archived; restore it first`);
    const name = changes.name ?? channel.name;
    if (renamed) {
      const problem = channelNameProblem(name);
      if (problem) return new Refusal(ErrorCode.BadMessage, problem);
    }
    if ((renamed || archiving) && !archived) {
      for (const other of this.store.channels()) if (other.id !== channel.id && !other.archived && other.name === name) return taken(name);
    }
    if (!renamed && !archiving && !retitled) return unchanged(channel);
    return { before: channel, after: { ...channel, name, topic: changes.topic ?? channel.topic, archived }, changed: true };
  }

  /** The channel when `clientId` sees it; NOT_FOUND otherwise. */
  private seen(clientId: string, channelId: string): ChannelRecord | Refusal {
    const channel = this.store.channel(channelId);
    return channel && this.sees(clientId, channel) ? channel : notFound('channel');
  }

  /** The channel when `clientId` is a member (everyone is of #general). */
  private memberOf(clientId: string, channelId: string): ChannelRecord | Refusal {
    const channel = this.seen(clientId, channelId);
    if (channel instanceof Refusal || channel.id === GENERAL_CHANNEL || channel.members.has(clientId)) return channel;
    return new Refusal(ErrorCode.Forbidden, `only members of #${channel.name} may do that; join it first`);
  }

  private withMembers(channel: ChannelRecord, added: readonly string[]): ChannelChange | Refusal {
    if (channel.members.size + added.length > ConversationLimits.channelMembers) {
      return new Refusal(ErrorCode.Conflict, `#${channel.name} has as many members as a channel may (${ConversationLimits.channelMembers})`);
    }
    return { before: channel, after: { ...channel, members: new Set([...channel.members, ...added]) }, changed: true };
  }

  private unknownOf(ids: Iterable<string>): Refusal | undefined {
    const unknown = [...ids].filter((id) => !this.identities.has(id));
    return unknown.length > 0 ? new Refusal(ErrorCode.NoSuchPeer, `unknown peer ${unknown.join(', ')}`) : undefined;
  }
}

function taken(name: string): Refusal {
  return new Refusal(ErrorCode.Conflict, `there is a channel named #${name} already`);
}

function unchanged(channel: ChannelRecord): ChannelChange {
  return { before: channel, after: channel, changed: false };
}
