import type { HistoryEntry } from './historyEntry';
import { MESSAGE_JSON_START } from './io/hotFrames';
import { plainAscii } from './recordCodec';

/**
 * The newest messages of a history in memory are held as their log line, made of the frame
 * JSON the relay has just built to deliver them: on the send path, copying it costs less than
 * half of encoding the compact record (recordCodec.ts; bench/NOTES.md). Bounded in bytes, so a
 * large history stays compact (its memory budget); past the bound a message is encoded as
 * before. Reading one parses its JSON.
 */
export const RAW_MAX_BYTES = 8 * 1024 * 1024;

const PREFIX = '{"ref":';

/**
 * Writes the log line of `entry` (`lineBytes` long, see logLineBytes) from its frame's JSON into
 * `into` at `start`: `{"ref":<ref>,` then the JSON after `{"t":"message",`, then a newline.
 */
export function writeRawRecord(into: Buffer, start: number, entry: HistoryEntry, messageJson: Buffer): void {
  // Byte by byte: short strings cost more as calls into Node than as loops.
  let at = start;
  for (let i = 0; i < PREFIX.length; i++) into[at++] = PREFIX.charCodeAt(i);
  const ref = entry.ref;
  if (plainAscii(ref)) {
    into[at++] = 0x22;
    for (let i = 0; i < ref.length; i++) into[at++] = ref.charCodeAt(i);
    into[at++] = 0x22;
  } else {
    at += into.write(JSON.stringify(ref), at, 'utf8');
  }
  into[at++] = 0x2c;
  at += messageJson.copy(into, at, MESSAGE_JSON_START.length);
  into[at] = 0x0a;
}

/** The message of a record written by writeRawRecord (the relay's own JSON of an entry, so
 *  not checked again). */
export function readRawRecord(bytes: Buffer): HistoryEntry {
  return JSON.parse(bytes.toString('utf8')) as HistoryEntry;
}
