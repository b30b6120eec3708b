import { encodeControl } from '../net/protocol/controlCodec';
import type { MessageChange, Reaction } from '../net/protocol/conversationMessages';
import { ConversationLimits, GENERAL_KEY, seqOfMessageId } from '../net/protocol/conversationKeys';
import { ErrorCode } from '../net/protocol/errors';
import type { HistoryEntry } from './history';
import type { RelayContext } from './relayContext';
import { notFound, Refusal, refuseRequest } from './requestRefusal';
import type { Session } from './session';
import type { MessageState } from './teamStore';
import type { ChangeOp, StreamChange } from './cluster/streamChanges';

/** A stored message someone may read, found by its id. */
export interface LocatedMessage {
  seq: number;
  entry: HistoryEntry;
  conv: string;
}

/** Who asked for a change, told how it went (nobody, for a reply's count). */
export interface ChangeAsker {
  done?(updateSeq: number): void;
  refused?(refusal: Refusal): void;
}

/** How a cluster carries changes: through its stream (cluster/clusterRouting.ts). */
export interface ChangePublisher {
  /** `replySeq`: the reply a `reply` change counts (it is counted once). */
  publishChange(change: StreamChange, asker: ChangeAsker, replySeq?: number): void;
}

/**
 * What happens to a stored message after it was sent: its author edits or deletes it, its
 * readers react to it, replies gather under it. Each change is the message's new state in the
 * team store and a record in the history (its own seq, so someone away gets it on resume); once
 * both are written, every reader's connections get the message's latest version as an `update`,
 * and the asker a `done`. In a cluster each change goes through the stream instead, and every
 * relay applies it when it reads it back (applyFromStream).
 */
export class MessageChanges {
  /** Set in cluster mode: changes go through the stream. */
  cluster: ChangePublisher | undefined;

  constructor(private readonly ctx: RelayContext) {}

  /** The message with this id when `clientId` may read it; NOT_FOUND for anything else. */
  locate(clientId: string, id: string): LocatedMessage | Refusal {
    const { history, channels } = this.ctx;
    const seq = seqOfMessageId(id);
    if (seq === undefined || id !== `${history.epoch}-${seq}`) return notFound('message');
    const found = history.find(seq);
    if (!found || !channels.canRead(clientId, found.conv)) return notFound('message');
    return { seq, entry: found.entry, conv: found.conv };
  }

  /** Why nothing may be written to `conv` now (an archived channel), if anything. */
  closedFor(clientId: string, conv: string): Refusal | undefined {
    if (!conv.startsWith('#') || conv === GENERAL_KEY) return undefined;
    const channel = this.ctx.channels.writable(clientId, conv.slice(1));
    return channel instanceof Refusal ? channel : undefined;
  }

  handle(session: Session, request: MessageChange): void {
    const target = this.locate(session.clientId, request.id);
    if (target instanceof Refusal) return refuseRequest(session, request.n, target);
    const state = this.ctx.store.messageState(target.seq);
    const op: ChangeOp =
      request.t === 'edit'
        ? { t: 'edit', text: request.text }
        : request.t === 'delete'
          ? { t: 'delete' }
          : { t: 'react', emoji: request.emoji, on: request.on };
    const refusal = this.closedFor(session.clientId, target.conv) ?? this.refusal(session.clientId, op, target.entry, state);
    if (refusal) return refuseRequest(session, request.n, refusal);
    const ts = Date.now();
    const done = (updateSeq: number) => session.connection.send({ t: 'done', n: request.n, seq: updateSeq });
    if (this.cluster) {
      this.cluster.publishChange({ target: target.seq, by: session.clientId, ts, op }, { done, refused: (r) => refuseRequest(session, request.n, r) });
      return;
    }
    this.record(target, ts, applying(op, session.clientId, ts), {
      done,
      refused: (reason) => refuseRequest(session, request.n, new Refusal(ErrorCode.NotStored, `not changed: ${reason}; try again later`)),
    });
  }

  /** A reply to the message at `rootSeq` was stored: the parent's summary follows. */
  replied(rootSeq: number, conv: string, reply: { from: string; ts: number; seq: number }): void {
    const op: ChangeOp = { t: 'reply', from: reply.from, ts: reply.ts };
    if (this.cluster) return this.cluster.publishChange({ target: rootSeq, by: reply.from, ts: reply.ts, op }, {}, reply.seq);
    this.record({ seq: rootSeq, conv }, reply.ts, applying(op, reply.from, reply.ts), {});
  }

  /**
   * Cluster mode: a change the stream numbered `seq`, read back here. Applied to the message's
   * state unless it was before (a restart reads the stream's tail again; another relay's result
   * came first) or the state now forbids it (deleted meanwhile, a limit reached by changes ahead
   * of it); then held in the history and told to this relay's readers. Every relay reads the
   * same changes in the same order, so all come to the same state. The refusal, if any, is for
   * the asker.
   */
  applyFromStream(seq: number, change: StreamChange): Refusal | undefined {
    const { history, store } = this.ctx;
    const found = history.find(change.target);
    if (!found) return notFound('message'); // older than what this relay holds
    const before = store.messageState(change.target);
    // Another relay's result may be here first (through the store's watch): then it is not
    // applied again, only held and told.
    const applied = before?.at !== undefined && before.at >= seq;
    if (!applied) {
      const refusal = this.refusal(change.by, change.op, found.entry, before);
      if (refusal) return refusal;
      store.setMessageState(change.target, { ...applying(change.op, change.by, change.ts)(before), at: seq });
    }
    if (history.appendUpdateAt(seq, change.ts, change.target)) this.announce(found.conv, change.target, seq);
    return undefined;
  }

  private refusal(clientId: string, op: ChangeOp, entry: HistoryEntry, state: MessageState | undefined): Refusal | undefined {
    if (op.t === 'reply') return undefined;
    if (op.t !== 'react' && entry.from !== clientId) return new Refusal(ErrorCode.Forbidden, `only its author may ${op.t} a message`);
    if (op.t === 'delete') return undefined;
    if (state?.deleted) return new Refusal(ErrorCode.Conflict, 'the message was deleted');
    if (op.t !== 'react' || !op.on) return undefined;
    const reactions = state?.reactions ?? [];
    const same = reactions.find((r) => r.emoji === op.emoji);
    if (!same && reactions.length >= ConversationLimits.reactionsPerMessage) {
      return new Refusal(ErrorCode.Conflict, `a message has at most ${ConversationLimits.reactionsPerMessage} different reactions`);
    }
    if (same && !same.by.includes(clientId) && same.by.length >= ConversationLimits.reactionsBy) {
      return new Refusal(ErrorCode.Conflict, `at most ${ConversationLimits.reactionsBy} people react with one emoji`);
    }
    return undefined;
  }

  /**
   * Sets the message's new state (the history's search and compaction read it from the store)
   * and appends the change's history record; once both are written, tells every reader. When
   * the record cannot be written, the state goes back unless something changed it since.
   */
  private record(
    target: { seq: number; conv: string },
    ts: number,
    apply: (state: MessageState | undefined) => MessageState,
    asker: { done?: (updateSeq: number) => void; refused?: (reason: string) => void },
  ): void {
    const { history, store, writes } = this.ctx;
    const before = store.messageState(target.seq);
    const after = apply(before);
    store.setMessageState(target.seq, after);
    // Known once appendUpdate returns, which is before anything below reads it (a history in
    // memory says "stored" from within appendUpdate; the announcement waits for a flush).
    let updateSeq = 0;
    updateSeq = history.appendUpdate(target.seq, ts, {
      stored: () =>
        writes.after(() => {
          this.announce(target.conv, target.seq, updateSeq);
          asker.done?.(updateSeq);
        }, asker.refused),
      notStored: (reason) => {
        if (store.messageState(target.seq) === after) store.setMessageState(target.seq, before ?? {});
        asker.refused?.(reason);
      },
    });
  }

  /** The message's latest version as an `update` to every connection of every reader online. */
  private announce(conv: string, seq: number, updateSeq: number): void {
    const message = this.ctx.history.latest(seq);
    if (!message) return; // retention dropped it meanwhile
    const frame = encodeControl({ t: 'update', seq: updateSeq, conv, message });
    for (const [clientId, sessions] of this.ctx.audience.online(conv)) {
      for (const session of sessions) this.ctx.flow.deliver(session, frame);
      this.ctx.directory.delivered(clientId, updateSeq);
    }
  }
}

/** What a change does to a message's state. */
function applying(op: ChangeOp, by: string, ts: number): (state: MessageState | undefined) => MessageState {
  switch (op.t) {
    case 'edit':
      return (s) => ({ ...s, text: op.text, edited: ts });
    case 'delete':
      return (s) => ({ deleted: true, ...(s?.replies ? { replies: s.replies } : {}) });
    case 'react':
      return (s) => withReaction(s, op.emoji, by, op.on);
    case 'reply':
      return (s) => withReply(s, op.from, op.ts);
  }
}

/** The state with `clientId`'s reaction `emoji` added (`on`) or taken back. */
export function withReaction(state: MessageState | undefined, emoji: string, clientId: string, on: boolean): MessageState {
  const reactions: Reaction[] = [];
  let found = false;
  for (const r of state?.reactions ?? []) {
    if (r.emoji !== emoji) {
      reactions.push(r);
      continue;
    }
    found = true;
    // Who reacted stays in the order they did.
    const by = on ? (r.by.includes(clientId) ? r.by : [...r.by, clientId]) : r.by.filter((id) => id !== clientId);
    if (by.length > 0) reactions.push({ emoji, by });
  }
  if (!found && on) reactions.push({ emoji, by: [clientId] });
  const { reactions: _old, ...rest } = state ?? {};
  return reactions.length > 0 ? { ...rest, reactions } : rest;
}

/** The state with one more reply, by `from` at `ts`, in its thread summary. */
export function withReply(state: MessageState | undefined, from: string, ts: number): MessageState {
  const before = state?.replies;
  const by = [from, ...(before?.by ?? []).filter((id) => id !== from)].slice(0, 5);
  return { ...state, replies: { count: (before?.count ?? 0) + 1, lastTs: Math.max(ts, before?.lastTs ?? 0), by } };
}
