import { ChannelInfo, ChannelListResult, ChannelResult, Done, ReadState, TeamState } from '../protocol/conversationMessages';
import { channelNameProblem, GENERAL_CHANNEL, normaliseChannelName } from '../protocol/conversationKeys';
import { ErrorCode, TeamMessengerError } from '../protocol/errors';
import { ChatMessage, ClientMessage, HistoryResult, SearchResult } from '../protocol/messages';

/** What the conversations need of the client (see TeamClient). */
export interface ConversationsPort {
  /** This identity's client id. */
  selfId(): string;
  /** Asks the relay a numbered question; resolves with the whole answer message. */
  ask<T>(build: (n: number) => ClientMessage, what: string): Promise<T>;
  /** Writes a message that is not answered; false when not connected. */
  send(message: ClientMessage): boolean;
  /** A channel in `channels` was added, changed or dropped. */
  channelChanged(channel: ChannelInfo): void;
}

/** A page of a conversation: `before`/`after` are seqs, `around`/`thread` message ids. */
export interface HistoryQuery {
  before?: number;
  after?: number;
  around?: string;
  thread?: string;
  limit: number;
}

export interface HistoryPage {
  messages: ChatMessage[];
  older: boolean;
  newer: boolean;
}

export interface SearchHits {
  hits: { conv: string; message: ChatMessage }[];
  more: boolean;
}

/**
 * Whether `clientId` is in `channel`. #general holds everyone and lists nobody; the relay lists
 * a channel's members only to its members, so a channel told without them is one the receiver
 * is not in (the relay also leaves out lists longer than it sends: members of such a channel
 * count as outside it here).
 */
export function isChannelMember(channel: ChannelInfo, clientId: string): boolean {
  if (channel.id === GENERAL_CHANNEL) return true;
  // The relay says so itself; the member list is left out of big channels.
  return channel.member ?? channel.members?.includes(clientId) ?? false;
}

/**
 * The client's side of what a team lives in beyond single messages: the channels it sees, its
 * read markers and how far others read ("Seen by"), and the requests about channels, messages
 * (edit, delete, react), history pages and search. The relay owns all of it: what is kept here
 * is the latest the relay said (team-state after each welcome, then channel and read-state
 * events), plus read markers set while disconnected, sent once the relay is back.
 */
export class ClientConversations {
  private readonly channelMap = new Map<string, ChannelInfo>();
  private readonly readMap = new Map<string, number>();
  private readonly seenMap = new Map<string, Map<string, number>>();
  /** Whether each marker set here may be shown to others (the `receipt` it was set with). */
  private readonly receipts = new Map<string, boolean>();
  private epoch: string | undefined;

  constructor(private readonly port: ConversationsPort) {}

  /** The channels this identity sees, by id: public ones and the private ones it is in. */
  get channels(): ReadonlyMap<string, ChannelInfo> {
    return this.channelMap;
  }

  /** This identity's read markers: conversation key → highest seq read. */
  get reads(): ReadonlyMap<string, number> {
    return this.readMap;
  }

  /** How far the others in direct and small group conversations read: key → (client id → seq). */
  get seen(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    return this.seenMap;
  }

  /** The non-archived channel called `name` (typed as people do: "#Deploys" works), or an
   *  archived one of that name when no other has it. */
  channelByName(name: string): ChannelInfo | undefined {
    const wanted = normaliseChannelName(name);
    let archived: ChannelInfo | undefined;
    for (const channel of this.channelMap.values()) {
      if (channel.name !== wanted) continue;
      if (!channel.archived) return channel;
      archived ??= channel;
    }
    return archived;
  }

  /** Every channel the relay lets this identity see (public ones, and private ones it is in). */
  async list(): Promise<ChannelInfo[]> {
    const answer = await this.ask<ChannelListResult>((n) => ({ t: 'channel-list', n }), 'the list of channels');
    for (const channel of answer.channels) this.apply(channel);
    return answer.channels;
  }

  create(name: string, options: { private?: boolean; topic?: string; members?: string[] } = {}): Promise<ChannelInfo> {
    const problem = channelNameProblem(name);
    if (problem) return Promise.reject(new TeamMessengerError(ErrorCode.BadMessage, problem));
    return this.channelRequest(
      (n) => ({
        t: 'channel-create',
        n,
        name,
        ...(options.private !== undefined ? { private: options.private } : {}),
        ...(options.topic !== undefined ? { topic: options.topic } : {}),
        ...(options.members?.length ? { members: options.members } : {}),
      }),
      `creating #${name}`,
    );
  }

  join(id: string): Promise<ChannelInfo> {
    return this.channelRequest((n) => ({ t: 'channel-join', n, channel: id }), `joining channel ${id}`);
  }

  leave(id: string): Promise<ChannelInfo> {
    return this.channelRequest((n) => ({ t: 'channel-leave', n, channel: id }), `leaving channel ${id}`);
  }

  add(id: string, members: string[]): Promise<ChannelInfo> {
    return this.channelRequest((n) => ({ t: 'channel-add', n, channel: id, members }), `adding members to channel ${id}`);
  }

  /** Renames, sets the topic, archives or restores a channel. */
  update(id: string, changes: { name?: string; topic?: string; archived?: boolean }): Promise<ChannelInfo> {
    if (changes.name !== undefined) {
      const problem = channelNameProblem(changes.name);
      if (problem) return Promise.reject(new TeamMessengerError(ErrorCode.BadMessage, problem));
    }
    return this.channelRequest(
      (n) => ({
        t: 'channel-update',
        n,
        channel: id,
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.topic !== undefined ? { topic: changes.topic } : {}),
        ...(changes.archived !== undefined ? { archived: changes.archived } : {}),
      }),
      `changing channel ${id}`,
    );
  }

  /** Replaces the text of one's own message; resolves with the change's seq. */
  edit(messageId: string, text: string): Promise<number> {
    return this.change((n) => ({ t: 'edit', n, id: messageId, text }), `editing message ${messageId}`);
  }

  /** Deletes one's own message (a tombstone stays); resolves with the change's seq. */
  remove(messageId: string): Promise<number> {
    return this.change((n) => ({ t: 'delete', n, id: messageId }), `deleting message ${messageId}`);
  }

  /** Adds (`on`) or takes back this identity's `emoji` on a message. */
  react(messageId: string, emoji: string, on: boolean): Promise<number> {
    return this.change((n) => ({ t: 'react', n, id: messageId, emoji, on }), `reacting to message ${messageId}`);
  }

  /**
   * Everything in `conv` up to `seq` is read. Sent only when it moves this identity's marker
   * forward; while disconnected it is kept and sent after the next welcome. `receipt: false`
   * keeps it from the others ("Seen by" turned off).
   */
  markRead(conv: string, seq: number, receipt = true): void {
    const message: ClientMessage = { t: 'read', conv, seq, ...(receipt ? {} : { receipt: false }) };
    const check = ClientMessage.safeParse(message);
    if (!check.success) throw new TeamMessengerError(ErrorCode.BadMessage, `cannot mark ${conv} read: ${check.error.issues[0]?.message ?? 'invalid'}`);
    if (seq <= (this.readMap.get(conv) ?? 0)) return;
    this.readMap.set(conv, seq);
    this.receipts.set(conv, receipt);
    this.port.send(message);
  }

  /** A page of `conv`'s history (oldest first, each message its latest version). */
  async history(conv: string, q: HistoryQuery): Promise<HistoryPage> {
    const answer = await this.ask<HistoryResult>((n) => ({ t: 'history', n, conv, ...q }), `the history of ${conv}`);
    return { messages: answer.messages, older: answer.older, newer: answer.newer };
  }

  /** Searches what this identity may read, newest first (see SearchRequest for the syntax). */
  async search(query: string, options: { limit?: number; before?: number } = {}): Promise<SearchHits> {
    const answer = await this.ask<SearchResult>(
      (n) => ({
        t: 'search',
        n,
        query,
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        ...(options.before !== undefined ? { before: options.before } : {}),
      }),
      `a search for ${JSON.stringify(query)}`,
    );
    return { hits: answer.hits, more: answer.more };
  }

  // ------------------------------------------------------------------ what the relay says

  /** A welcome: another relay history (epoch) means other seqs, so old markers mean nothing. */
  welcomed(epoch: string): void {
    if (this.epoch !== undefined && this.epoch !== epoch) {
      this.readMap.clear();
      this.seenMap.clear();
      this.receipts.clear();
    }
    this.epoch = epoch;
  }

  /** After each welcome: the whole picture. Markers set here that the relay lacks (set while
   *  disconnected, or lost with the connection) go again. */
  teamState(state: TeamState): void {
    this.channelMap.clear();
    for (const channel of state.channels) this.channelMap.set(channel.id, channel);
    const relayReads = new Map<string, number>();
    this.seenMap.clear();
    for (const marker of state.reads) {
      if (marker.by === undefined) relayReads.set(marker.conv, Math.max(marker.seq, relayReads.get(marker.conv) ?? 0));
      else this.noteSeen(marker.conv, marker.by, marker.seq);
    }
    for (const [conv, seq] of this.readMap) {
      if (seq > (relayReads.get(conv) ?? 0)) {
        const receipt = this.receipts.get(conv) ?? true;
        this.port.send({ t: 'read', conv, seq, ...(receipt ? {} : { receipt: false }) });
      }
    }
    for (const [conv, seq] of relayReads) if (seq > (this.readMap.get(conv) ?? 0)) this.readMap.set(conv, seq);
  }

  /** A channel was created or changed (told to `channelChanged` when that changes anything here). */
  channel(channel: ChannelInfo): void {
    this.apply(channel);
  }

  readState(state: ReadState): void {
    if (state.by !== undefined) this.noteSeen(state.conv, state.by, state.seq);
    else if (state.seq > (this.readMap.get(state.conv) ?? 0)) this.readMap.set(state.conv, state.seq);
  }

  // ------------------------------------------------------------------ inside

  /** Keeps what the relay says of a channel; a private one this identity is not in is dropped. */
  private apply(channel: ChannelInfo): void {
    const before = this.channelMap.get(channel.id);
    if (channel.private && !isChannelMember(channel, this.port.selfId())) {
      if (!before) return;
      this.channelMap.delete(channel.id);
    } else {
      if (before && JSON.stringify(before) === JSON.stringify(channel)) return;
      this.channelMap.set(channel.id, channel);
    }
    this.port.channelChanged(channel);
  }

  private noteSeen(conv: string, by: string, seq: number): void {
    if (by === this.port.selfId()) return;
    let markers = this.seenMap.get(conv);
    if (!markers) this.seenMap.set(conv, (markers = new Map()));
    if (seq > (markers.get(by) ?? 0)) markers.set(by, seq);
  }

  private async channelRequest(build: (n: number) => ClientMessage, what: string): Promise<ChannelInfo> {
    const answer = await this.ask<ChannelResult>(build, what);
    this.apply(answer.channel);
    return answer.channel;
  }

  private async change(build: (n: number) => ClientMessage, what: string): Promise<number> {
    return (await this.ask<Done>(build, what)).seq;
  }

  /** Checked before it goes: the relay would refuse it less clearly (or drop the connection). */
  private ask<T>(build: (n: number) => ClientMessage, what: string): Promise<T> {
    const check = ClientMessage.safeParse(build(0));
    if (!check.success) {
      const issue = check.error.issues[0];
      const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return Promise.reject(new TeamMessengerError(ErrorCode.BadMessage, `${what}: ${field}${issue?.message ?? 'invalid'}`));
    }
    return this.port.ask<T>(build, what);
  }
}
