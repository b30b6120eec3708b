import type { ChannelRequest, HistoryRequest, MessageChange, Read, SearchRequest, TeamState } from '../net/protocol/conversationMessages';
import { ChannelRequests } from './channelRequests';
import { HistoryRequests } from './historyRequests';
import type { MessageChanges } from './messageChanges';
import { ReadState } from './readState';
import type { RelayContext } from './relayContext';
import type { Session } from './session';

export type ConversationRequest = ChannelRequest | MessageChange | Read | HistoryRequest | SearchRequest;

/**
 * What a member asks of the team beyond sending: channel requests (channelRequests.ts), edits,
 * deletes and reactions (messageChanges.ts), read markers (readState.ts), history pages and
 * searches (historyRequests.ts). Each answer goes to the asking connection; a refusal is an
 * `error` whose ref is `req-<n>`, and the connection stays.
 */
export class ConversationRequests {
  private readonly channelRequests: ChannelRequests;
  private readonly reads: ReadState;
  private readonly pages: HistoryRequests;

  constructor(
    ctx: RelayContext,
    private readonly changes: MessageChanges,
  ) {
    this.channelRequests = new ChannelRequests(ctx);
    this.reads = new ReadState(ctx);
    this.pages = new HistoryRequests(ctx, changes);
  }

  handle(session: Session, request: ConversationRequest): void {
    switch (request.t) {
      case 'channel-create':
      case 'channel-join':
      case 'channel-leave':
      case 'channel-add':
      case 'channel-update':
      case 'channel-list':
        this.channelRequests.handle(session, request);
        return;
      case 'edit':
      case 'delete':
      case 'react':
        this.changes.handle(session, request);
        return;
      case 'read':
        this.reads.read(session, request);
        return;
      case 'history':
        this.pages.history(session, request);
        return;
      case 'search':
        this.pages.search(session, request);
        return;
    }
  }

  /** What a newly welcomed identity is told before any replay. */
  teamState(clientId: string): TeamState {
    return this.reads.teamState(clientId);
  }
}
