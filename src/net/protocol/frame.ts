/**
 * Wire framing. Every frame is a fixed 10-byte header followed by the payload:
 *
 *   offset 0  u32 BE  payload length in bytes (header not included)
 *   offset 4  u8      kind   (FrameKind)
 *   offset 5  u8      flags  (FrameFlag bits; unknown bits are an error so they stay usable later)
 *   offset 6  u32 BE  stream id (0 = the control stream; file data uses its own ids)
 *
 * Control frames carry one UTF-8 JSON object validated against `messages.ts`.
 * Data frames carry raw bytes for a stream, so a file chunk never goes through JSON or base64
 * and can interleave with chat on the same connection.
 */
export const HEADER_BYTES = 10;

export const FrameKind = {
  Control: 1,
  Data: 2,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export const FrameFlag = {
  /** Last data frame of a stream. */
  End: 0x01,
} as const;
export const KNOWN_FLAGS = FrameFlag.End;

/** Default cap on one frame's payload: large enough for a 1 MiB file chunk plus slack. */
export const DEFAULT_MAX_PAYLOAD = 2 * 1024 * 1024;

export interface Frame {
  kind: FrameKind;
  flags: number;
  stream: number;
  /** A view into the received bytes; valid until the caller lets it go, or only during the
   *  call when the decoder was given transient chunks (see FrameDecoderOptions). */
  payload: Buffer;
}

/**
 * A data frame as the relay forwards it: the payload in pieces, never joined. A 64 KiB chunk
 * almost never lines up with the socket's 64 KiB reads, so joining meant copying (and
 * allocating) nearly every byte of a file once more on its way through.
 */
export interface DataFrameParts {
  flags: number;
  stream: number;
  /** Payload bytes: the sum of the parts' lengths. */
  length: number;
  parts: Buffer[];
  /**
   * Present when the parts are pooled slabs (the decoder copied them out of a reused read
   * buffer): call it once nothing will read the parts again, and they are reused. The relay's
   * frame writer calls it when the socket has written them; a frame dropped on the way (a
   * protocol error, a closing connection) is simply not given back, which only costs an
   * allocation later.
   */
  release?: () => void;
}

export function isFrameKind(value: number): value is FrameKind {
  return value === FrameKind.Control || value === FrameKind.Data;
}

export function writeHeader(target: Buffer, offset: number, kind: FrameKind, flags: number, stream: number, length: number): void {
  target.writeUInt32BE(length, offset);
  target[offset + 4] = kind;
  target[offset + 5] = flags;
  target.writeUInt32BE(stream, offset + 6);
}

/** One contiguous buffer holding header and payload: right for small frames (one write, one allocation). */
export function encodeFrame(kind: FrameKind, payload: Buffer, stream = 0, flags = 0): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  writeHeader(out, 0, kind, flags, stream, payload.length);
  payload.copy(out, HEADER_BYTES);
  return out;
}

/** Just the header: for large payloads that are written after it without being copied. */
export function encodeHeader(kind: FrameKind, length: number, stream = 0, flags = 0): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES);
  writeHeader(out, 0, kind, flags, stream, length);
  return out;
}
