import { encodeControl } from '../net/protocol/controlCodec';
import type { Read, ReadMarker, TeamState } from '../net/protocol/conversationMessages';
import { ConversationLimits } from '../net/protocol/conversationKeys';
import { keepsReceipts } from './memoryTeamStore';
import type { RelayContext } from './relayContext';
import type { Session } from './session';
import { channelsThatFit, countThatFit, jsonBytes, WIRE_BUDGET } from './wireBudget';

/** Conversations one identity keeps a read marker in, at most: a client cannot grow the
 *  relay's memory by marking made-up conversations read. */
export const MAX_MARKERS_PER_IDENTITY = 10_000;

/**
 * Read state: one marker per conversation per identity, kept by the relay so a person's
 * machines agree. A marker that moves goes to the identity's other connections, and in a direct
 * or small group conversation to the other participants ("Seen by"), unless the reader turned
 * receipts off. Each welcome is followed by the whole picture (`team-state`).
 */
export class ReadState {
  constructor(private readonly ctx: RelayContext) {}

  /** Not answered: a marker for a conversation the reader may not read is dropped quietly. */
  read(session: Session, read: Read): void {
    const { store, history, channels, writes } = this.ctx;
    const clientId = session.clientId;
    if (!channels.canRead(clientId, read.conv)) return;
    const seq = Math.min(read.seq, history.storedSeq);
    const isNew = store.readMarker(clientId, read.conv) === 0;
    if (seq <= 0 || (isNew && store.readMarkerCount(clientId) >= MAX_MARKERS_PER_IDENTITY)) return;
    // The setting each read carries (absent: as it was) is the identity's from then on.
    if (read.receipt !== undefined) store.setSendsReceipts(clientId, read.receipt);
    if (!store.setReadMarker(clientId, read.conv, seq)) return;
    writes.after(() => this.announce(session, read.conv, seq));
  }

  /** After a welcome: the channels the identity sees, its markers, and the others' markers in
   *  its direct and small group conversations (those who send receipts). */
  teamState(clientId: string): TeamState {
    const { store, channels } = this.ctx;
    const reads: ReadMarker[] = [];
    for (const [conv, seq] of store.readMarkersOf(clientId)) if (channels.canRead(clientId, conv)) reads.push({ conv, seq });
    for (const conv of store.smallConversationsWith(clientId)) {
      for (const [by, seq] of store.readMarkersIn(conv)) if (by !== clientId && store.sendsReceipts(by)) reads.push({ conv, seq, by });
    }
    const list = channelsThatFit(
      channels.visibleTo(clientId).map((c) => channels.info(c, clientId)),
      WIRE_BUDGET / 2,
    );
    const kept = Math.min(ConversationLimits.readMarkers, countThatFit(reads, WIRE_BUDGET - jsonBytes(list)));
    return { t: 'team-state', channels: list, reads: reads.length > kept ? reads.slice(0, kept) : reads };
  }

  private announce(reader: Session, conv: string, seq: number): void {
    announceReadMarker(this.ctx, reader.clientId, conv, seq, reader);
  }
}

/** Tells a moved marker to the reader's other connections (all but `except`) and, in a small
 *  people conversation, to the others (receipts on). Also for a marker moved on another relay. */
export function announceReadMarker(ctx: RelayContext, readerId: string, conv: string, seq: number, except?: Session): void {
  const { byClient, store, flow, audience } = ctx;
  const own = encodeControl({ t: 'read-state', conv, seq });
  for (const session of byClient.get(readerId) ?? []) if (session !== except) flow.deliver(session, own);
  if (!keepsReceipts(conv) || !store.sendsReceipts(readerId)) return;
  const seen = encodeControl({ t: 'read-state', conv, seq, by: readerId });
  for (const [clientId, sessions] of audience.online(conv)) {
    if (clientId === readerId) continue;
    for (const session of sessions) flow.deliver(session, seen);
  }
}
