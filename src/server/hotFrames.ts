import { encodeControlJson } from '../net/controlCodec';
import { Ack, Targets } from '../net/messages';
import { FrameKind, HEADER_BYTES, writeHeader } from '../net/frame';
import type { HistoryEntry } from './history';

/**
 * The two frames the relay writes for every chat message — the message for its receivers and
 * the ack for its sender — with their JSON built by hand. The bytes are exactly those of
 * `encodeControl` on the same object (the unit tests compare them on seeded random entries,
 * hostile text included); what is saved is the intermediate object and the generic property
 * walk, about a third of the encoding cost (bench W1: JSON.stringify was the largest single
 * cost of a relayed message). Strings always go through JSON.stringify, so escaping is V8's own.
 */
export function chatMessageFrame(entry: HistoryEntry, replay: boolean): Buffer {
  const json = chatMessageJson(entry);
  return encodeControlJson(replay ? json.slice(0, -1) + REPLAY_END : json);
}

/** How every chat message's JSON starts: the history's log lines rely on it. */
export const MESSAGE_JSON_START = '{"t":"message",';
const REPLAY_END = ',"replay":true}';

/** The JSON text of a live chat message frame. */
export function chatMessageJson(entry: HistoryEntry): string {
  return (
    MESSAGE_JSON_START +
    '"id":' +
    JSON.stringify(entry.id) +
    ',"seq":' +
    entry.seq +
    ',"ts":' +
    entry.ts +
    ',"from":' +
    JSON.stringify(entry.from) +
    ',"fromName":' +
    JSON.stringify(entry.fromName) +
    ',"to":' +
    targetsJson(entry.to) +
    ',"text":' +
    JSON.stringify(entry.text) +
    (entry.code ? ',"code":' + JSON.stringify(entry.code) : '') +
    '}'
  );
}

/** A replay frame from a live message's JSON bytes (as the history keeps them): the same
 *  object with `"replay":true` last, copied once, never parsed. */
export function replayFrame(messageJson: Buffer): Buffer {
  const length = messageJson.length - 1 + REPLAY_END.length;
  const out = Buffer.allocUnsafe(HEADER_BYTES + length);
  writeHeader(out, 0, FrameKind.Control, 0, 0, length);
  messageJson.copy(out, HEADER_BYTES, 0, messageJson.length - 1);
  out.write(REPLAY_END, HEADER_BYTES + messageJson.length - 1, 'latin1');
  return out;
}

export function ackFrame(ack: Ack): Buffer {
  return encodeControlJson(ackJson(ack));
}

/** The ack's JSON text: what the relay remembers to answer a resend (a flat string is the
 *  cheapest thing to keep 50,000 of: no pointers for the garbage collector to follow). */
export function ackJson(ack: Ack): string {
  return (
    '{"t":"ack","ref":' +
      JSON.stringify(ack.ref) +
      ',"id":' +
      JSON.stringify(ack.id) +
      ',"seq":' +
      ack.seq +
      ',"ts":' +
      ack.ts +
      ',"reached":' +
      ack.reached +
      ',"online":' +
      (ack.online.length === 0 ? '[]' : JSON.stringify(ack.online)) +
      ',"offline":' +
    (ack.offline.length === 0 ? '[]' : JSON.stringify(ack.offline)) +
    '}'
  );
}

function targetsJson(to: Targets): string {
  return to === 'all' ? '"all"' : JSON.stringify(to);
}
