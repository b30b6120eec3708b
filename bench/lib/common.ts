import { build, Histogram } from 'hdr-histogram-js';

/** Microseconds on a monotonic clock (performance.now() has sub-microsecond resolution). */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

/** A nowUs() value as µs since the Unix epoch, and back: how two processes compare times. */
export function toEpochUs(us: number): number {
  return us + performance.timeOrigin * 1000;
}

export function fromEpochUs(us: number): number {
  return us - performance.timeOrigin * 1000;
}

/**
 * The 100-byte message text every system carries. It holds the time the message was
 * *scheduled* to be sent (open loop), in microseconds, as 16 decimal digits after a marker
 * that cannot occur elsewhere in any system's framing (`~T`).
 */
export const MESSAGE_BYTES = 100;
export const MARK = Buffer.from('~T');
const STAMP_DIGITS = 16;

/** A fresh 100-byte text with the stamp written at offset 2. */
export function makeText(stampUs: number): Buffer {
  const b = Buffer.alloc(MESSAGE_BYTES, 0x78); // 'x'
  MARK.copy(b, 0);
  writeDigits(b, 2, STAMP_DIGITS, stampUs);
  return b;
}

export function writeDigits(target: Buffer, offset: number, width: number, value: number): void {
  let v = Math.floor(value);
  for (let i = offset + width - 1; i >= offset; i--) {
    target[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}

/** Writes the stamp into an already-encoded message that contains the marker at `markAt`. */
export function stampAt(target: Buffer, markAt: number, stampUs: number): void {
  writeDigits(target, markAt + 2, STAMP_DIGITS, stampUs);
}

/** Reads the stamp from a received payload (any framing) or -1 when it has none. */
export function readStamp(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(MARK, start);
  if (at < 0 || at + 2 + STAMP_DIGITS > end) return -1;
  let v = 0;
  for (let i = at + 2; i < at + 2 + STAMP_DIGITS; i++) v = v * 10 + (buf[i] - 0x30);
  return v;
}

export function newHistogram(): Histogram {
  // 1 µs .. 120 s, 3 significant digits.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    maxMs: ms(h.maxValue),
    meanMs: ms(h.mean),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects when `p` does not settle within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]);
}
