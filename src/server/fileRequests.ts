import { encodeControl } from '../net/protocol/controlCodec';
import { ErrorCode } from '../net/protocol/errors';
import type { FileRequestOut, OfferedAttachment } from '../net/protocol/richMessages';
import type { MessageChanges } from './messageChanges';
import type { RelayContext } from './relayContext';
import { notFound, Refusal, refuseRequest } from './requestRefusal';
import type { Session } from './session';

/**
 * A reader's request for an attachment of a stored message, passed to its author. The bytes
 * stay with the author, so the relay's part is the permission check: the asker must be able to
 * read the message, which must be in the conversation named and have that attachment (neither
 * deleted since). Every other connection of the author hears of it (any of them may hold the
 * file); the asker gets `done`, or NOT_FOUND / NO_SUCH_PEER under `req-<n>`.
 */
export class FileRequests {
  constructor(
    private readonly ctx: RelayContext,
    private readonly changes: MessageChanges,
  ) {}

  handle(session: Session, request: FileRequestOut): void {
    const target = this.changes.locate(session.clientId, request.message);
    // One answer whether the message is missing, hidden or elsewhere: no hints.
    if (target instanceof Refusal || target.conv !== request.conv) return refuseRequest(session, request.n, notFound('message'));
    const deleted = target.entry.deleted === true || this.ctx.store.messageState(target.seq)?.deleted === true;
    const attachment = deleted ? undefined : target.entry.attachments?.find((a) => a.id === request.attachment);
    if (!attachment) return refuseRequest(session, request.n, new Refusal(ErrorCode.NotFound, 'the message has no such attachment'));
    const author = (this.ctx.byClient.get(target.entry.from) ?? []).filter((s) => s !== session);
    const elsewhere = this.ctx.directory.onlineElsewhere(target.entry.from);
    if (author.length === 0 && !elsewhere) {
      const refusal = new Refusal(ErrorCode.NoSuchPeer, `${target.entry.fromName} is not online to send ${attachment.name}; try again when they are`);
      return refuseRequest(session, request.n, refusal);
    }
    const forwarded = {
      t: 'file-request' as const,
      from: session.clientId,
      fromName: session.name,
      conv: target.conv,
      message: request.message,
      attachment: attachment.id,
    };
    const frame = encodeControl(forwarded);
    for (const connection of author) this.ctx.flow.deliver(connection, frame);
    // In a cluster the author's connections on the other relays hear of it too (their offer crosses back).
    if (elsewhere) this.ctx.elsewhere.signals?.toPerson(target.entry.from, forwarded);
    session.connection.send({ t: 'done', n: request.n, seq: target.seq });
  }

  /**
   * Why an offer that says it answers a request for `offered` may not go from `senderId` to
   * `receiverId`: only the message's author offers its attachments, and only to someone who may
   * read it — so a receiver that accepts such an offer unasked knows whose file it is.
   */
  offerRefusal(senderId: string, receiverId: string, offered: OfferedAttachment): string | undefined {
    const target = this.changes.locate(receiverId, offered.message);
    if (target instanceof Refusal || target.conv !== offered.conv || target.entry.from !== senderId) return 'there is no such message of yours for them';
    const deleted = target.entry.deleted === true || this.ctx.store.messageState(target.seq)?.deleted === true;
    if (deleted || !target.entry.attachments?.some((a) => a.id === offered.attachment)) return 'the message has no such attachment';
    return undefined;
  }
}
