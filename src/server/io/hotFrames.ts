import { encodeControlJson } from '../../net/protocol/controlCodec';
import { Ack, ChatMessage } from '../../net/protocol/messages';
import { FrameKind, HEADER_BYTES, writeHeader } from '../../net/protocol/frame';

/**
 * The two frames the relay writes for every chat message — the message for its receivers and
 * the ack for its sender — with their JSON built by hand. The bytes are exactly those of
 * `encodeControl` on the same object (the unit tests compare them on seeded random entries,
 * hostile text included); what is saved is the intermediate object and the generic property
 * walk, the largest single cost of a relayed message (bench/NOTES.md). Strings that need
 * escaping go through JSON.stringify, so escaping
 * is V8's own (see `FrameJson`).
 */
export function chatMessageFrame(entry: FramedMessage, replay: boolean): Buffer {
  const json = chatMessageJsonText(entry);
  if (replay) json.replaceEnd(REPLAY_END);
  return json.frame();
}

/** What a chat message frame carries (a history entry is one). */
export type FramedMessage = Pick<
  ChatMessage,
  | 'id'
  | 'seq'
  | 'ts'
  | 'from'
  | 'fromName'
  | 'to'
  | 'text'
  | 'code'
  | 'thread'
  | 'files'
  | 'mentions'
  | 'urgent'
  | 'attachments'
  | 'patch'
  | 'block'
  | 'problem'
  | 'links'
  | 'edited'
  | 'deleted'
>;

/** How every chat message's JSON starts: the history's log lines rely on it. */
export const MESSAGE_JSON_START = '{"t":"message",';
const REPLAY_END = ',"replay":true}';

/** The JSON text of a live chat message frame. */
export function chatMessageJson(entry: FramedMessage): string {
  return chatMessageJsonText(entry).text;
}

function chatMessageJsonText(entry: FramedMessage): FrameJson {
  const json = new FrameJson(MESSAGE_JSON_START + '"id":').string(entry.id);
  json.raw(',"seq":' + entry.seq + ',"ts":' + timeText(entry.ts) + ',"from":').string(entry.from);
  json.raw(',"fromName":').string(entry.fromName).raw(',"to":');
  if (entry.to === 'all') json.raw('"all"');
  else if (typeof entry.to === 'string') json.string(entry.to);
  else json.strings(entry.to);
  json.raw(',"text":').string(entry.text);
  if (entry.code) json.raw(',"code":' + JSON.stringify(entry.code)).notAscii();
  if (entry.thread !== undefined) json.raw(',"thread":').string(entry.thread);
  if (entry.files) json.raw(',"files":' + JSON.stringify(entry.files)).notAscii();
  if (entry.mentions) json.raw(',"mentions":').strings(entry.mentions);
  if (entry.urgent) json.raw(',"urgent":true');
  if (entry.attachments) json.raw(',"attachments":' + JSON.stringify(entry.attachments)).notAscii();
  if (entry.patch) json.raw(',"patch":' + JSON.stringify(entry.patch)).notAscii();
  if (entry.block) json.raw(',"block":').string(entry.block);
  if (entry.problem) json.raw(',"problem":' + JSON.stringify(entry.problem)).notAscii();
  if (entry.links) json.raw(',"links":' + JSON.stringify(entry.links)).notAscii();
  if (entry.edited !== undefined) json.raw(',"edited":' + entry.edited);
  if (entry.deleted) json.raw(',"deleted":true');
  return json.raw('}');
}

export function ackFrame(ack: Ack): Buffer {
  return ackJsonText(ack).frame();
}

/** The ack's JSON text: what the relay remembers to answer a resend (a flat string is the
 *  cheapest thing to keep 50,000 of: no pointers for the garbage collector to follow). */
export function ackJson(ack: Ack): string {
  return ackJsonText(ack).text;
}

function ackJsonText(ack: Ack): FrameJson {
  const json = new FrameJson('{"t":"ack","ref":').string(ack.ref).raw(',"id":').string(ack.id);
  json.raw(',"seq":' + ack.seq + ',"ts":' + timeText(ack.ts) + ',"reached":' + ack.reached + ',"online":');
  json.strings(ack.online).raw(',"offline":').strings(ack.offline);
  return json.raw('}');
}

/** Printable ASCII other than `"` and `\`: a string of only these is its own JSON between
 *  quotes (JSON.stringify escapes nothing in it), one byte per character in UTF-8. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A frame's JSON text built from pieces. A string value of plain characters (above) is put
 * between quotes as it is; any other goes through JSON.stringify, which costs more than the
 * rest of a relayed message's encoding (bench/NOTES.md), and nearly every chat message,
 * identity and ref is plain. While every
 * piece is ASCII the frame's length is the text's length, so the frame is written without
 * first measuring the text as UTF-8.
 */
class FrameJson {
  private ascii = true;

  constructor(public text: string) {}

  /** JSON that is ASCII by construction (keys, numbers, punctuation). */
  raw(json: string): this {
    this.text += json;
    return this;
  }

  string(value: string): this {
    if (PLAIN.test(value)) {
      this.text += '"' + value + '"';
    } else {
      this.text += JSON.stringify(value);
      this.ascii = false;
    }
    return this;
  }

  strings(values: readonly string[]): this {
    this.text += '[';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.text += ',';
      this.string(values[i]);
    }
    this.text += ']';
    return this;
  }

  notAscii(): this {
    this.ascii = false;
    return this;
  }

  /** Swaps the closing brace for `end` (which closes the object again). */
  replaceEnd(end: string): void {
    this.text = this.text.slice(0, -1) + end;
  }

  frame(): Buffer {
    if (!this.ascii) return encodeControlJson(this.text);
    const length = this.text.length;
    const out = Buffer.allocUnsafe(HEADER_BYTES + length);
    writeHeader(out, 0, FrameKind.Control, 0, 0, length);
    out.write(this.text, HEADER_BYTES, 'latin1');
    return out;
  }
}

/**
 * A timestamp's decimal text. Milliseconds since 1970 are past V8's small integers, and turning
 * one into text is a call into the runtime; the relay stamps every message of a millisecond
 * with the same time, so the last one is kept.
 */
let lastTime = -1;
let lastTimeText = '-1';
function timeText(ms: number): string {
  if (ms !== lastTime) {
    lastTime = ms;
    lastTimeText = String(ms);
  }
  return lastTimeText;
}
