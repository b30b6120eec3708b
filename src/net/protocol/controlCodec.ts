import { z } from 'zod';
import { ErrorCode, ProtocolError } from './errors';
import { FrameKind, HEADER_BYTES, writeHeader } from './frame';
import { ClientMessage, RelayMessage } from './messages';

/**
 * Turns control-frame payloads into validated messages and back. The only place JSON from
 * the network is parsed.
 */
/** Strict: invalid UTF-8 is an error, never silently replaced with U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeWith<T>(schema: z.ZodType<T>, payload: Buffer, fast?: (value: Record<string, unknown>) => T | undefined): T {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    throw new ProtocolError(ErrorCode.BadJson, 'control frame is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(ErrorCode.BadJson, 'control frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(ErrorCode.BadMessage, 'control frame is not a JSON object');
  }
  const quick = fast?.(value as Record<string, unknown>);
  if (quick !== undefined) return quick;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const unknownType = issue?.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 't';
    throw new ProtocolError(unknownType ? ErrorCode.UnknownType : ErrorCode.BadMessage, describeIssue(parsed.error, value));
  }
  return parsed.data;
}

function describeIssue(error: z.ZodError, value: object): string {
  const type = 't' in value && typeof value.t === 'string' ? value.t.slice(0, 32) : undefined;
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  if (issue?.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 't') {
    return `unknown message type ${JSON.stringify(type ?? null)}`;
  }
  const what = issue ? issue.message : 'invalid';
  return `invalid ${type ? `"${type}" ` : ''}message${where ? ` at ${where}` : ''}: ${what}`;
}

/**
 * A client's message, checked against its schema; `fast` may recognise a common shape by hand
 * first (the relay's `send` fast path, server/io/sendFastPath.ts) and must return exactly what
 * the schema would, or undefined to leave it to the schema.
 */
export function decodeClientMessage(payload: Buffer, fast?: (value: Record<string, unknown>) => ClientMessage | undefined): ClientMessage {
  return decodeWith<ClientMessage>(ClientMessage, payload, fast);
}

/** Without any fast path: the reference the fast path is tested against. */
export function decodeClientMessageBySchema(payload: Buffer): ClientMessage {
  return decodeWith(ClientMessage, payload);
}

export function decodeRelayMessage(payload: Buffer): RelayMessage {
  return decodeWith(RelayMessage, payload);
}

/** Encodes a control message as one complete frame: header and JSON in one allocation. */
export function encodeControl(message: ClientMessage | RelayMessage): Buffer {
  return encodeControlJson(JSON.stringify(message));
}

/** Frames JSON text that is already a valid control message (built by hand on a hot path). */
export function encodeControlJson(json: string): Buffer {
  const length = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + length);
  writeHeader(out, 0, FrameKind.Control, 0, 0, length);
  out.write(json, HEADER_BYTES, 'utf8');
  return out;
}

const LIST_TAIL = Buffer.from(']}', 'utf8');

/**
 * Encodes a control message whose one list is already JSON text in pieces (entries separated by
 * commas across the pieces, no brackets): the frame's header and the message's own JSON come
 * first, then the pieces as they are, then the closing brackets. The list goes last, under
 * `key`; the bytes are those `encodeControl` makes of the message with the list in that place.
 * A list shared by many frames (the relay's roster in every welcome) is then never copied.
 */
export function encodeControlWithList<M extends ClientMessage | RelayMessage, K extends keyof M & string>(
  message: Omit<M, K>,
  key: K,
  pieces: readonly Buffer[],
): Buffer[] {
  const json = JSON.stringify(message);
  // An object's JSON always ends with its closing brace, and has at least `t` before it.
  const head = `${json.slice(0, -1)},${JSON.stringify(key)}:[`;
  const headBytes = Buffer.byteLength(head, 'utf8');
  let length = headBytes + LIST_TAIL.length;
  for (const piece of pieces) length += piece.length;
  const first = Buffer.allocUnsafe(HEADER_BYTES + headBytes);
  writeHeader(first, 0, FrameKind.Control, 0, 0, length);
  first.write(head, HEADER_BYTES, 'utf8');
  return [first, ...pieces, LIST_TAIL];
}
