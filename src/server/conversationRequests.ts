import type { ChannelRequest, HistoryRequest, MessageChange, Read, SearchRequest, TeamState } from '../net/protocol/conversationMessages';
import type { FileRequestOut, OfferedAttachment } from '../net/protocol/richMessages';
import { ChannelRequests } from './channelRequests';
import { FileRequests } from './fileRequests';
import { HistoryRequests } from './historyRequests';
import type { MessageChanges } from './messageChanges';
import { ReadState } from './readState';
import type { RelayContext } from './relayContext';
import type { Session } from './session';

export type ConversationRequest = ChannelRequest | MessageChange | Read | HistoryRequest | SearchRequest | FileRequestOut;

/**
 * What a member asks of the team beyond sending: channel requests (channelRequests.ts), edits,
 * deletes and reactions (messageChanges.ts), read markers (readState.ts), history pages and
 * searches (historyRequests.ts), requests for attachments (fileRequests.ts). Each answer goes to the asking connection; a refusal is an
 * `error` whose ref is `req-<n>`, and the connection stays.
 */
export class ConversationRequests {
  private readonly channelRequests: ChannelRequests;
  private readonly reads: ReadState;
  private readonly pages: HistoryRequests;
  private readonly files: FileRequests;

  constructor(
    ctx: RelayContext,
    private readonly changes: MessageChanges,
  ) {
    this.channelRequests = new ChannelRequests(ctx);
    this.reads = new ReadState(ctx);
    this.pages = new HistoryRequests(ctx, changes);
    this.files = new FileRequests(ctx, changes);
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
      case 'file-request':
        this.files.handle(session, request);
        return;
    }
  }

  /** Why an offer naming an attachment may not go from `senderId` to `receiverId` (fileRequests.ts). */
  attachmentOfferRefusal(senderId: string, receiverId: string, offered: OfferedAttachment): string | undefined {
    return this.files.offerRefusal(senderId, receiverId, offered);
  }

  /** What a newly welcomed identity is told before any replay. */
  teamState(clientId: string): TeamState {
    return this.reads.teamState(clientId);
  }
}
