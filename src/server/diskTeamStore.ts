import { z } from 'zod';
import type { Logger } from '../net/logger';
import { ConversationKey, ChannelId } from '../net/protocol/conversationMessages';
import { MemoryBackedTeamStore } from './memoryBackedTeamStore';
import { TeamJournal } from './teamJournal';
import type { ChannelRecord, MessageState } from './teamStore';
import { StoredChannelMeta, StoredClientId, StoredMessageState, StoredSeq } from './teamStoreSchemas';

/**
 * The team store of a relay with a history folder: everything in memory (memoryTeamStore.ts),
 * every change a line of a journal in the folder (teamJournal.ts), written by flush() before
 * any frame about it leaves. A journal that grew far past what it describes is rewritten as a
 * snapshot. When a write fails (a full disk) the changes of the batch are undone in memory, so
 * memory never holds what the disk does not, and flush() throws for the caller to refuse them.
 */

const seq = StoredSeq;
const clientId = StoredClientId;
const ChannelMeta = StoredChannelMeta;
type ChannelMeta = z.infer<typeof ChannelMeta>;
const StoredState = StoredMessageState;
const Line = z.union([
  z.object({ channel: ChannelMeta }).strict(),
  z.object({ members: z.object({ channel: ChannelId, add: z.array(clientId).optional(), remove: z.array(clientId).optional() }) }).strict(),
  z.object({ read: z.object({ by: clientId, conv: ConversationKey, seq }) }).strict(),
  z.object({ receipts: z.object({ by: clientId, on: z.boolean() }) }).strict(),
  z.object({ state: z.object({ seq, state: StoredState }) }).strict(),
  z.object({ forget: seq }).strict(),
]);
type Line = z.infer<typeof Line>;

/** Members per journal line: a channel of 100,000 members is 100 lines, none of them huge. */
const MEMBERS_PER_LINE = 1000;

interface Change {
  lines: string[];
  /** Puts memory back as it was before the change (absent: nothing to undo). */
  undo?: () => void;
}

export class DiskTeamStore extends MemoryBackedTeamStore {
  private readonly journal: TeamJournal;
  private pending: Change[] = [];
  /** Lines the last snapshot had (or what was loaded): the journal is rewritten at twice that. */
  private liveLines = 0;
  /** A deleted message's earlier text is still in the journal: rewrite it at the next flush. */
  private scrub = false;

  constructor(dir: string, logger: Logger) {
    super();
    this.journal = new TeamJournal(dir, logger);
    let loaded = 0;
    this.journal.load((value) => {
      const parsed = Line.safeParse(value);
      if (!parsed.success) return false;
      this.replay(parsed.data);
      loaded++;
      return true;
    });
    this.liveLines = this.snapshot().length;
    logger.info('team store loaded', { file: this.journal.file, lines: loaded, channels: this.memory.channelCount });
  }

  putChannel(channel: ChannelRecord): void {
    const before = this.memory.channel(channel.id);
    const lines: string[] = [];
    if (!before || JSON.stringify(metaOf(before)) !== JSON.stringify(metaOf(channel))) lines.push(line({ channel: metaOf(channel) }));
    const add = [...channel.members].filter((m) => !before?.members.has(m));
    const remove = before ? [...before.members].filter((m) => !channel.members.has(m)) : [];
    lines.push(...memberLines(channel.id, add, 'add'), ...memberLines(channel.id, remove, 'remove'));
    this.memory.putChannel(channel);
    this.pending.push({ lines, undo: () => this.memory.restoreChannel(channel.id, before) });
  }

  setReadMarker(clientId: string, conv: string, seq: number): boolean {
    const before = this.memory.readMarker(clientId, conv);
    if (!this.memory.setReadMarker(clientId, conv, seq)) return false;
    this.pending.push({ lines: [line({ read: { by: clientId, conv, seq } })], undo: () => this.memory.restoreReadMarker(clientId, conv, before) });
    return true;
  }

  setSendsReceipts(clientId: string, on: boolean): void {
    if (this.memory.sendsReceipts(clientId) === on) return;
    this.memory.setSendsReceipts(clientId, on);
    this.pending.push({ lines: [line({ receipts: { by: clientId, on } })], undo: () => this.memory.setSendsReceipts(clientId, !on) });
  }

  setMessageState(seq: number, state: MessageState): void {
    const before = this.memory.messageState(seq);
    if (before?.text !== undefined && state.text === undefined) this.scrub = true;
    this.memory.setMessageState(seq, state);
    this.pending.push({ lines: [line({ state: { seq, state } })], undo: () => this.memory.restoreMessageState(seq, before) });
  }

  forgetMessagesUpTo(seq: number): void {
    const before = this.memory.messageStateCount;
    this.memory.forgetMessagesUpTo(seq);
    // Not undone when the write fails: a forgotten state that comes back on load belongs to a
    // message retention dropped, which nobody asks about.
    if (this.memory.messageStateCount < before) this.pending.push({ lines: [line({ forget: seq })] });
  }

  flush(): void {
    if (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        this.journal.append(batch.map((c) => c.lines.join('')).join(''));
      } catch (err) {
        for (let i = batch.length - 1; i >= 0; i--) batch[i].undo?.();
        throw err;
      }
    }
    if (this.scrub || this.journal.damaged || this.journal.linesOnDisk > 2 * this.liveLines + 1000) this.compact();
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.journal.close();
    }
  }

  private compact(): void {
    const lines = this.snapshot();
    if (!this.journal.rewrite(lines)) return;
    this.liveLines = lines.length;
    this.scrub = false;
  }

  /** Everything held, as journal lines. */
  private snapshot(): string[] {
    const lines: string[] = [];
    for (const channel of this.memory.channels()) lines.push(line({ channel: metaOf(channel) }), ...memberLines(channel.id, [...channel.members], 'add'));
    for (const by of this.memory.receiptsOffBy()) lines.push(line({ receipts: { by, on: false } }));
    for (const [by, conv, seq] of this.memory.allReadMarkers()) lines.push(line({ read: { by, conv, seq } }));
    for (const [seq, state] of this.memory.messageStates()) lines.push(line({ state: { seq, state } }));
    return lines;
  }

  /** Applies one loaded line to memory. */
  private replay(entry: Line): void {
    if ('channel' in entry) {
      const before = this.memory.channel(entry.channel.id);
      this.memory.putChannel({ ...entry.channel, members: before?.members ?? new Set() });
    } else if ('members' in entry) {
      const before = this.memory.channel(entry.members.channel);
      if (!before) return; // its channel line was damaged
      const members = new Set(before.members);
      for (const m of entry.members.add ?? []) members.add(m);
      for (const m of entry.members.remove ?? []) members.delete(m);
      this.memory.putChannel({ ...before, members });
    } else if ('read' in entry) {
      this.memory.setReadMarker(entry.read.by, entry.read.conv, entry.read.seq);
    } else if ('receipts' in entry) {
      this.memory.setSendsReceipts(entry.receipts.by, entry.receipts.on);
    } else if ('state' in entry) {
      this.memory.setMessageState(entry.state.seq, entry.state.state);
    } else {
      this.memory.forgetMessagesUpTo(entry.forget);
    }
  }
}

function metaOf(c: ChannelRecord): ChannelMeta {
  return { id: c.id, name: c.name, topic: c.topic, private: c.private, archived: c.archived, createdBy: c.createdBy, createdAt: c.createdAt };
}

function memberLines(channel: string, ids: string[], how: 'add' | 'remove'): string[] {
  const lines: string[] = [];
  for (let i = 0; i < ids.length; i += MEMBERS_PER_LINE) lines.push(line({ members: { channel, [how]: ids.slice(i, i + MEMBERS_PER_LINE) } }));
  return lines;
}

function line(entry: Line): string {
  return JSON.stringify(entry) + '\n';
}
