import type { ChatMessage } from '../../../src/net/protocol/messages';
import { ConversationStore } from '../../../src/model/conversationStore';
import type { ConversationId, ConversationMessage } from '../../../src/model/conversationTypes';
import type { ChannelView, HistoryPage, HistoryQuery, MessageHits, RosterView } from '../../../src/model/messengerModel';
import type { RequestModel } from '../../../src/views/chatRequests';

/** A model for the chat panel's view code: a real store, and the relay's answers scripted. */

export const SELF = 'S'.repeat(22);
export const BOB = 'B'.repeat(22);
export const CAROL = 'C'.repeat(22);
export const T0 = 1_700_000_000_000;
const NAMES: Record<string, string> = { [SELF]: 'alice', [BOB]: 'bob', [CAROL]: 'carol' };

export function chat(seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return { t: 'message', id: `ep-${seq}`, seq, ts: T0 + seq * 1000, from: BOB, fromName: 'bob', to: [SELF], text: `hello ${seq}`, ...fields };
}

/** A message as the model hands it out for an older page (not in the store). */
export function held(seq: number, fields: Partial<ConversationMessage> = {}): ConversationMessage {
  return { id: `ep-${seq}`, seq, ts: T0 + seq * 1000, from: BOB, fromName: 'bob', text: `older ${seq}`, own: false, state: 'delivered', ...fields };
}

export const DEPLOYS: ChannelView = {
  id: 'deploys',
  conversationId: 'channel:deploys',
  name: 'deploys',
  topic: 'Releases',
  private: false,
  archived: false,
  createdBy: BOB,
  creator: false,
  member: true,
  memberCount: 3,
  members: [SELF, BOB, CAROL],
  unread: 0,
  mentions: 2,
};

export class FakeModel implements RequestModel {
  readonly store = new ConversationStore({ selfId: SELF });
  readonly selfId = SELF;
  connectionState: RequestModel['connectionState'] = 'connected';
  channelList: ChannelView[] = [DEPLOYS];
  online = new Set<string>([BOB]);
  seen = new Map<number, string[]>();
  /** The relay's answers: each call is recorded; `history` answers it. */
  readonly calls: { what: string; args: unknown[] }[] = [];
  history: (id: ConversationId, q: HistoryQuery) => Promise<HistoryPage> = async () => ({ messages: [], older: false, newer: false });
  found: MessageHits = { hits: [], more: false };
  failing: Error | undefined;

  nameOf(clientId: string): string {
    return NAMES[clientId] ?? clientId.slice(0, 6);
  }
  isOnline(clientId: string): boolean {
    return this.online.has(clientId);
  }
  roster(): RosterView {
    return {
      selfId: SELF,
      state: 'connected',
      online: [...this.online].map((clientId) => ({ clientId, name: this.nameOf(clientId) }) as never),
      known: [],
      presence: { mode: 'full', online: this.online.size } as never,
      watched: new Set(),
    };
  }
  channels(): ChannelView[] {
    return this.channelList;
  }
  conversationTitle(id: ConversationId): string {
    if (id === 'all') return '#general';
    const channel = this.channelList.find((c) => c.conversationId === id);
    if (channel) return `#${channel.name}`;
    return id
      .replace(/^(peer|group):/, '')
      .split(',')
      .map((m) => this.nameOf(m))
      .join(', ');
  }
  seenBy(_id: ConversationId, seq: number): string[] {
    return this.seen.get(seq) ?? [];
  }
  async loadHistory(id: ConversationId, q: HistoryQuery): Promise<HistoryPage> {
    this.calls.push({ what: 'history', args: [id, q] });
    return this.history(id, q);
  }
  threadReplies(id: ConversationId, parentId: string): ConversationMessage[] {
    return this.store.threadReplies(id, parentId);
  }
  async searchMessages(query: string, before?: number): Promise<MessageHits> {
    this.calls.push({ what: 'search', args: [query, before] });
    if (this.failing) throw this.failing;
    return this.found;
  }
  async editMessage(id: ConversationId, messageId: string, text: string): Promise<void> {
    this.calls.push({ what: 'edit', args: [id, messageId, text] });
    if (this.failing) throw this.failing;
  }
  async deleteMessage(id: ConversationId, messageId: string): Promise<void> {
    this.calls.push({ what: 'delete', args: [id, messageId] });
    if (this.failing) throw this.failing;
  }
  async react(id: ConversationId, messageId: string, emoji: string, on: boolean): Promise<void> {
    this.calls.push({ what: 'react', args: [id, messageId, emoji, on] });
    if (this.failing) throw this.failing;
  }
  reply(id: ConversationId, parentId: string, text: string): ConversationMessage | undefined {
    this.calls.push({ what: 'reply', args: [id, parentId, text] });
    return this.connectionState === 'connected' ? held(999, { text, thread: parentId, own: true }) : undefined;
  }
}
