import { encodeControl } from '../net/protocol/controlCodec';
import type { ChatMessage } from '../net/protocol/messages';
import type { HistoryRecords } from './historyRecords';
import { chatMessageFrame } from './io/hotFrames';
import type { MessageState } from './teamStore';

/** What a replay reads of the history besides its records. */
export interface ReplaySource {
  records: HistoryRecords;
  state(seq: number): MessageState | undefined;
  /** Record `n`'s message, latest version. */
  latest(n: number): ChatMessage;
}

export interface Replay {
  frames: Buffer[];
  /** The newest seq the replay covers (`afterSeq` when it covers nothing). */
  lastSeq: number;
}

/**
 * The replay frames of what happened after `afterSeq` in the conversations `canRead` allows,
 * oldest first: each message as its latest version (as it went out when it never changed),
 * each change of an older message as an `update` with its latest version, once per
 * message. At most `maxFrames`, the newest: a client away for longer pages back for the rest.
 */
export function replayAfter(source: ReplaySource, afterSeq: number, canRead: (conv: string) => boolean, maxFrames: number): Replay {
  const { records } = source;
  const start = records.firstAfter(afterSeq);
  const verdicts = new Int8Array(records.convCount);
  const readable = (conv: number) => {
    if (conv < 0) return false;
    if (verdicts[conv] === 0) verdicts[conv] = canRead(records.convKey(conv)) ? 1 : -1;
    return verdicts[conv] > 0;
  };
  const picked: number[] = [];
  /** Messages whose latest version is already going out. */
  const covered = new Set<number>();
  let lastSeq = afterSeq;
  for (let n = records.end - 1; n >= start && picked.length < maxFrames; n--) {
    if (!readable(records.convOf(n))) continue;
    if (lastSeq === afterSeq) lastSeq = records.seqOf(n);
    if (records.isUpdate(n)) {
      const target = records.linkOf(n);
      // A message sent after afterSeq goes out as its latest version anyway.
      if (target > afterSeq || covered.has(target) || records.recordOf(target) < 0) continue;
      covered.add(target);
    }
    picked.push(n);
  }
  const frames: Buffer[] = [];
  for (let i = picked.length - 1; i >= 0; i--) frames.push(frameOf(source, picked[i]));
  return { frames, lastSeq };
}

function frameOf(source: ReplaySource, n: number): Buffer {
  const { records } = source;
  if (records.isUpdate(n)) {
    const message = source.latest(records.recordOf(records.linkOf(n)));
    return encodeControl({ t: 'update', seq: records.seqOf(n), conv: records.convKey(records.convOf(n)), message, replay: true });
  }
  if (source.state(records.seqOf(n)) === undefined) return chatMessageFrame(records.entry(n), true);
  return encodeControl({ ...source.latest(n), replay: true });
}
