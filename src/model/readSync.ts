import type { TeamClient } from '../net/client/teamClient';
import type { ReadState } from '../net/protocol/conversationMessages';
import { channelOf, conversationIdForKey, conversationKeyFor } from './conversationIds';
import type { ConversationStore } from './conversationStore';
import type { ConversationId } from './conversationTypes';

/** What keeping read markers in step needs of the Messenger. */
export interface ReadSyncHost {
  store(): ConversationStore;
  /** The live client of the store's identity, if any. */
  client(): TeamClient | undefined;
  /** Whether the user is in this channel (the relay keeps no marker elsewhere). */
  inChannel(channelId: string): boolean;
  /** Whether others may see how far the user read ("Seen by"). */
  receipts(): boolean;
}

/**
 * Keeps the store's read markers and the relay's in step, so an identity's machines agree: what
 * the relay says (team-state after each welcome, read-state events) goes into the store, and a
 * marker the user moves here goes to the relay.
 */
export class ReadSync {
  /** The client whose welcome was handled: its relay history and the store's agree. */
  private welcomed: TeamClient | undefined;

  constructor(private readonly host: ReadSyncHost) {}

  /** After a welcome: the store's markers belong to this relay history from now on. */
  welcome(client: TeamClient, epoch: string): void {
    this.host.store().useEpoch(epoch);
    this.welcomed = client;
  }

  /** The relay's whole picture (after each welcome): into the store; what was read here but not there goes. */
  teamState(client: TeamClient): void {
    const store = this.host.store();
    for (const [key, seq] of client.conversations.reads) this.withConversation(client, key, (id) => store.setReadMarker(id, seq));
    for (const [key, markers] of client.conversations.seen) {
      this.withConversation(client, key, (id) => {
        for (const [by, seq] of markers) store.setSeen(id, by, seq);
      });
    }
    for (const conversation of store.conversations) this.send(conversation.id);
  }

  readState(client: TeamClient, state: ReadState): void {
    const store = this.host.store();
    this.withConversation(client, state.conv, (id) => {
      if (state.by === undefined) store.setReadMarker(id, state.seq);
      else store.setSeen(id, state.by, state.seq);
    });
  }

  /** The user's marker in `conversationId` may have moved here: the relay keeps it. */
  send(conversationId: ConversationId): void {
    const client = this.host.client();
    if (!client || client !== this.welcomed || client.state !== 'connected') return;
    const channel = channelOf(conversationId);
    if (channel !== undefined && !this.host.inChannel(channel)) return;
    const seq = this.host.store().readSeqOf(conversationId);
    const key = conversationKeyFor(conversationId, client.clientId);
    if (seq > (client.conversations.reads.get(key) ?? 0)) client.conversations.markRead(key, seq, this.host.receipts());
  }

  /** Markers of the store's identity only (a client of another identity says nothing of it). */
  private withConversation(client: TeamClient, key: string, use: (id: ConversationId) => void): void {
    const id = client === this.host.client() ? conversationIdForKey(key, client.clientId) : undefined;
    if (id !== undefined) use(id);
  }
}
