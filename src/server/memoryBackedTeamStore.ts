import { MemoryTeamStore } from './memoryTeamStore';
import type { ChannelRecord, MessageState, TeamStore } from './teamStore';

/**
 * A team store that keeps everything in memory and writes changes somewhere else (a journal on
 * disk, the cluster's bucket): every read is the memory copy's, so only the writes differ.
 */
export abstract class MemoryBackedTeamStore implements TeamStore {
  protected readonly memory = new MemoryTeamStore();

  channels(): Iterable<ChannelRecord> {
    return this.memory.channels();
  }

  channel(id: string): ChannelRecord | undefined {
    return this.memory.channel(id);
  }

  readMarker(clientId: string, conv: string): number {
    return this.memory.readMarker(clientId, conv);
  }

  readMarkersOf(clientId: string): Iterable<[conv: string, seq: number]> {
    return this.memory.readMarkersOf(clientId);
  }

  readMarkerCount(clientId: string): number {
    return this.memory.readMarkerCount(clientId);
  }

  readMarkersIn(conv: string): Iterable<[clientId: string, seq: number]> {
    return this.memory.readMarkersIn(conv);
  }

  smallConversationsWith(clientId: string): Iterable<string> {
    return this.memory.smallConversationsWith(clientId);
  }

  sendsReceipts(clientId: string): boolean {
    return this.memory.sendsReceipts(clientId);
  }

  messageState(seq: number): MessageState | undefined {
    return this.memory.messageState(seq);
  }

  abstract putChannel(channel: ChannelRecord): void;
  abstract setReadMarker(clientId: string, conv: string, seq: number): boolean;
  abstract setSendsReceipts(clientId: string, on: boolean): void;
  abstract setMessageState(seq: number, state: MessageState): void;
  abstract forgetMessagesUpTo(seq: number): void;
  abstract flush(): void;
  abstract close(): void;
}
