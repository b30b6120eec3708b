import { ConversationLimits, GENERAL_CHANNEL, participantsOfKey } from '../net/protocol/conversationKeys';
import type { ChannelRecord, MessageState, TeamStore } from './teamStore';

/** #general as it is before anyone changes it: public, everyone in it, made by nobody. */
export function generalChannel(): ChannelRecord {
  return { id: GENERAL_CHANNEL, name: GENERAL_CHANNEL, topic: '', private: false, archived: false, createdBy: '', createdAt: 0, members: new Set() };
}

/** Whether read receipts are kept for the conversation with this key (a small people key). */
export function keepsReceipts(conv: string): boolean {
  return conv.startsWith('@') && participantsOfKey(conv).length <= ConversationLimits.receiptMembers;
}

/**
 * The team store in memory: what a relay without a history folder keeps, and what the disk
 * store (diskTeamStore.ts) keeps in memory between its journal writes. #general is there from
 * the start. The `restore…` methods put a value back as it was (undoing a change the disk could
 * not take), which the TeamStore interface itself never allows (markers only move forward).
 */
export class MemoryTeamStore implements TeamStore {
  private readonly channelsById = new Map<string, ChannelRecord>([[GENERAL_CHANNEL, generalChannel()]]);
  private readonly markers = new Map<string, Map<string, number>>();
  /** Markers of small people conversations by conversation, for "Seen by". */
  private readonly markersByConv = new Map<string, Map<string, number>>();
  /** Small people conversations with markers, by participant. */
  private readonly smallByParticipant = new Map<string, Set<string>>();
  private readonly receiptsOff = new Set<string>();
  private readonly states = new Map<number, MessageState>();
  /** The seqs with a state, smallest first (a binary heap; entries of forgotten states linger
   *  until they come up): retention forgets the oldest without scanning every state. */
  private readonly stateSeqs: number[] = [];

  channels(): Iterable<ChannelRecord> {
    return this.channelsById.values();
  }

  get channelCount(): number {
    return this.channelsById.size;
  }

  channel(id: string): ChannelRecord | undefined {
    return this.channelsById.get(id);
  }

  putChannel(channel: ChannelRecord): void {
    this.channelsById.set(channel.id, channel);
  }

  /** Puts a channel back as it was, or takes it away when it was not there. */
  restoreChannel(id: string, channel: ChannelRecord | undefined): void {
    if (channel) this.channelsById.set(id, channel);
    else this.channelsById.delete(id);
  }

  readMarker(clientId: string, conv: string): number {
    return this.markers.get(clientId)?.get(conv) ?? 0;
  }

  readMarkersOf(clientId: string): Iterable<[conv: string, seq: number]> {
    return this.markers.get(clientId)?.entries() ?? [];
  }

  readMarkerCount(clientId: string): number {
    return this.markers.get(clientId)?.size ?? 0;
  }

  setReadMarker(clientId: string, conv: string, seq: number): boolean {
    if (seq <= this.readMarker(clientId, conv)) return false;
    this.restoreReadMarker(clientId, conv, seq);
    return true;
  }

  /** Sets a marker to `seq` even when that is back (0: no marker). */
  restoreReadMarker(clientId: string, conv: string, seq: number): void {
    const small = keepsReceipts(conv);
    if (seq <= 0) {
      const own = this.markers.get(clientId);
      own?.delete(conv);
      if (own?.size === 0) this.markers.delete(clientId);
      if (small) this.forgetSmallMarker(clientId, conv);
      return;
    }
    let own = this.markers.get(clientId);
    if (!own) this.markers.set(clientId, (own = new Map()));
    own.set(conv, seq);
    if (!small) return;
    let readers = this.markersByConv.get(conv);
    if (!readers) {
      this.markersByConv.set(conv, (readers = new Map()));
      for (const participant of participantsOfKey(conv)) {
        let convs = this.smallByParticipant.get(participant);
        if (!convs) this.smallByParticipant.set(participant, (convs = new Set()));
        convs.add(conv);
      }
    }
    readers.set(clientId, seq);
  }

  readMarkersIn(conv: string): Iterable<[clientId: string, seq: number]> {
    return this.markersByConv.get(conv)?.entries() ?? [];
  }

  smallConversationsWith(clientId: string): Iterable<string> {
    return this.smallByParticipant.get(clientId) ?? [];
  }

  sendsReceipts(clientId: string): boolean {
    return !this.receiptsOff.has(clientId);
  }

  setSendsReceipts(clientId: string, on: boolean): void {
    if (on) this.receiptsOff.delete(clientId);
    else this.receiptsOff.add(clientId);
  }

  messageState(seq: number): MessageState | undefined {
    return this.states.get(seq);
  }

  setMessageState(seq: number, state: MessageState): void {
    this.restoreMessageState(seq, state);
  }

  /** Sets or (undefined) clears the state of one message. */
  restoreMessageState(seq: number, state: MessageState | undefined): void {
    if (!state) {
      this.states.delete(seq);
      return;
    }
    if (!this.states.has(seq)) heapPush(this.stateSeqs, seq);
    this.states.set(seq, state);
  }

  /** How many messages have a state. */
  get messageStateCount(): number {
    return this.states.size;
  }

  /** Every message state, by seq (for writing a snapshot). */
  messageStates(): Iterable<[seq: number, state: MessageState]> {
    return this.states.entries();
  }

  forgetMessagesUpTo(seq: number): void {
    while (this.stateSeqs.length > 0 && this.stateSeqs[0] <= seq) this.states.delete(heapPop(this.stateSeqs));
  }

  /** Every identity's markers (for writing a snapshot). */
  *allReadMarkers(): Iterable<[clientId: string, conv: string, seq: number]> {
    for (const [clientId, own] of this.markers) for (const [conv, seq] of own) yield [clientId, conv, seq];
  }

  /** The identities that turned read receipts off. */
  receiptsOffBy(): Iterable<string> {
    return this.receiptsOff;
  }

  flush(): void {
    // Nothing to write: memory is all there is.
  }

  close(): void {
    // Nothing to release.
  }

  private forgetSmallMarker(clientId: string, conv: string): void {
    const readers = this.markersByConv.get(conv);
    readers?.delete(clientId);
    if (!readers || readers.size > 0) return;
    this.markersByConv.delete(conv);
    for (const participant of participantsOfKey(conv)) {
      const convs = this.smallByParticipant.get(participant);
      convs?.delete(conv);
      if (convs?.size === 0) this.smallByParticipant.delete(participant);
    }
  }
}

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  for (let i = heap.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= heap[i]) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function heapPop(heap: number[]): number {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length === 0) return top;
  heap[0] = last;
  for (let i = 0; ;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && heap[left] < heap[smallest]) smallest = left;
    if (right < heap.length && heap[right] < heap[smallest]) smallest = right;
    if (smallest === i) break;
    [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
    i = smallest;
  }
  return top;
}
