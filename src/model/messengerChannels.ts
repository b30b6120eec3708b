import type { TeamClient } from '../net/client/teamClient';
import type { ChannelInfo } from '../net/protocol/conversationMessages';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { GENERAL_CHANNEL } from '../net/protocol/conversationKeys';
import { ChannelDirectory, channelView, ChannelView, compareChannels, isMember, mentions } from './channelsModel';
import { conversationIdForChannel, type ConversationStore } from './conversationStore';
import type { MessengerPersistence } from './messengerPersistence';
import { mentionsUser } from './mentions';

/** What the channels need of the Messenger. */
export interface ChannelsHost {
  /** The live client of the store's identity, if any. */
  client(): TeamClient | undefined;
  store(): ConversationStore;
  selfName(): string;
}

export const notConnected = (): TeamMessengerError => new TeamMessengerError(ErrorCode.Closed, 'not connected to a relay');

/**
 * The Messenger's channels: what the relay said of them (kept and saved per identity), as the
 * views show them with their unread and mention counts, and the channel requests.
 */
export class MessengerChannels {
  private readonly directory = new ChannelDirectory();
  private owner = '';

  constructor(
    private readonly host: ChannelsHost,
    private readonly saved: MessengerPersistence,
    private readonly changed: () => void,
  ) {}

  /** The identity whose channels these are (its saved ones until the relay says). */
  useOwner(selfId: string): void {
    if (this.owner === selfId) return;
    this.owner = selfId;
    if (this.directory.replaceAll(this.saved.loadChannels(selfId))) this.changed();
  }

  /** The client's picture of the channels changed (team-state, a channel event, an answer). */
  refresh(client: TeamClient): void {
    if (client.clientId !== this.owner || !this.directory.replaceAll(client.conversations.channels.values())) return;
    this.saved.saveChannels(this.owner, this.directory.values());
    this.changed();
  }

  get(channelId: string): ChannelInfo | undefined {
    return this.directory.get(channelId);
  }

  /** Whether the user is in the channel, as far as the relay said (#general: always). */
  isMember(channelId: string): boolean {
    const info = this.directory.get(channelId);
    return channelId === GENERAL_CHANNEL || (info !== undefined && isMember(info, this.owner));
  }

  /** Every channel known: #general first, then by name. */
  views(): ChannelView[] {
    return [...this.directory.values()].map((info) => this.view(info)).sort(compareChannels);
  }

  async list(): Promise<ChannelView[]> {
    const client = this.live();
    const channels = await client.conversations.list();
    this.refresh(client);
    return channels.map((info) => this.view(info)).sort(compareChannels);
  }

  create(name: string, options: { private?: boolean; topic?: string; members?: string[] }): Promise<ChannelView> {
    return this.request((client) => client.conversations.create(name, options));
  }

  join(id: string): Promise<ChannelView> {
    return this.request((client) => client.conversations.join(id));
  }

  /** Leaves a channel; what is left unread in it stops counting. */
  async leave(id: string): Promise<ChannelView> {
    const view = await this.request((client) => client.conversations.leave(id));
    this.host.store().markRead(view.conversationId);
    return { ...view, unread: 0, mentions: 0 };
  }

  add(id: string, members: string[]): Promise<ChannelView> {
    return this.request((client) => client.conversations.add(id, members));
  }

  update(id: string, changes: { name?: string; topic?: string; archived?: boolean }): Promise<ChannelView> {
    return this.request((client) => client.conversations.update(id, changes));
  }

  private async request(ask: (client: TeamClient) => Promise<ChannelInfo>): Promise<ChannelView> {
    const client = this.live();
    const info = await ask(client);
    this.refresh(client);
    return this.view(info);
  }

  private live(): TeamClient {
    const client = this.host.client();
    if (!client) throw notConnected();
    return client;
  }

  private view(info: ChannelInfo): ChannelView {
    const store = this.host.store();
    const conversationId = conversationIdForChannel(info.id);
    const name = this.host.selfName();
    // What the message says it mentions (issue 27); "@name" in the text for messages from before.
    const named = store.unreadMessages(conversationId).filter((m) => mentionsUser(m.mentions, this.owner, m.own) || mentions(m.text, name)).length;
    return channelView(info, this.owner, { unread: store.unreadOf(conversationId), mentions: named });
  }
}
