/**
 * The load generator's instruments: pacing senders to a rate (sleeping or spinning until each
 * send is due), recording latencies, counting what should have arrived, the CPU a process used
 * in a window, and connecting pairs in batches.
 */
import { Histogram } from 'hdr-histogram-js';
import { newHistogram, nowUs, readStamp, sleep } from './common';
import { flushAll } from './outbox';
import { hostStolenSeconds } from './machine';
import { cpuSeconds } from './proc';
import type { OnMessage, Receiver, Sender, System } from './systems';

export async function inBatches<T>(n: number, limit: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await make(i);
      }
    }),
  );
  return out;
}

export interface Pair {
  receiver: Receiver;
  sender: Sender;
  sent: number;
}

export async function makePairs(sys: System, n: number, on: OnMessage): Promise<Pair[]> {
  const receivers = await inBatches(n, 32, () => sys.receiver('pair', on));
  const senders = await inBatches(n, 32, (i) => sys.sender(receivers[i].target));
  return receivers.map((receiver, i) => ({ receiver, sender: senders[i], sent: 0 }));
}

/**
 * Records (arrival − scheduled send time) for messages scheduled inside [fromUs, toUs). A window
 * whose end is not known yet has toUs = +∞ and is closed with `closeAt`: until then its records
 * are kept with their stamps, so that those scheduled at or after the end can be left out.
 */
export class LatencyRecorder {
  readonly hist: Histogram = newHistogram();
  fromUs = Number.POSITIVE_INFINITY;
  toUs = Number.NEGATIVE_INFINITY;
  private held: number[] = []; // stamp, latency, stamp, latency, ...
  readonly on: OnMessage = (buf, start, end) => {
    const stamp = readStamp(buf, start, end);
    if (stamp < this.fromUs || stamp >= this.toUs) return;
    const latency = Math.max(1, nowUs() - stamp);
    if (this.toUs === Number.POSITIVE_INFINITY) this.held.push(stamp, latency);
    else this.hist.recordValue(latency);
  };
  closeAt(toUs: number): void {
    this.toUs = toUs;
    for (let i = 0; i < this.held.length; i += 2) if (this.held[i] < toUs) this.hist.recordValue(this.held[i + 1]);
    this.held = [];
  }
}

export interface Paced {
  sender: Sender;
  intervalUs: number;
  /** When send 0 is due: send k is due at `dueAt(stream, k)`. */
  first: number;
  next: number;
  sent: number;
}

/** Open-loop schedules: pair i sends at start + (k + i/n)·interval, whatever happens to earlier messages. */
export function schedule(senders: Sender[], totalRate: number, startUs: number): Paced[] {
  const intervalUs = (1e6 * senders.length) / totalRate;
  return senders.map((sender, i) => {
    const first = startUs + (i / senders.length) * intervalUs;
    return { sender, intervalUs, first, next: first, sent: 0 };
  });
}

/** When send `k` of `stream` is due: from its index, never a running sum, so that pace() and
 *  scheduledIn() agree on it to the last bit. */
export function dueAt(stream: Paced, k: number): number {
  return stream.first + k * stream.intervalUs;
}

const napCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sends everything that is due, every turn of the event loop, until `untilUs` or `stop()`.
 * The loop spins (a full core); with `nap` it blocks between turns until the next send is due
 * (at most 1 ms), so the process sleeps when it has nothing to do. What arrives during a nap is
 * read after it: at 10k msgs/s over 100 pairs a send is due every 100 µs, which bounds the nap.
 */
export function pace(streams: Paced[], untilUs: number, extra?: (now: number) => void, stop?: () => boolean, nap = false): Promise<void> {
  return new Promise((resolve) => {
    const loop = () => {
      const now = nowUs();
      for (const s of streams) {
        while (s.next <= now && s.next < untilUs) {
          s.sender.send(s.next);
          s.sent++;
          s.next = dueAt(s, s.sent);
        }
      }
      extra?.(now);
      flushAll();
      if (now >= untilUs || stop?.()) return resolve();
      if (nap) {
        let due = untilUs;
        for (const s of streams) if (s.next < due) due = s.next;
        const waitUs = Math.min(1000, due - nowUs());
        if (waitUs > 0) Atomics.wait(napCell, 0, 0, waitUs / 1000);
      }
      setImmediate(loop);
    };
    loop();
  });
}

/**
 * Sent inside [fromUs, toUs) by a schedule (for counting what should have arrived): by the stamp
 * each message carries, its due time in whole µs (rounded down), which is what LatencyRecorder
 * filters on. Counting by the fractional due times instead put a message due at the very edge
 * of the window (one always is, when the interval is not a whole µs) on the other side of it
 * now and then: "lost 1" with nothing lost.
 */
export function scheduledIn(streams: Paced[], fromUs: number, toUs: number): number {
  let n = 0;
  for (const s of streams) n += Math.max(0, firstStampedAt(s, toUs) - firstStampedAt(s, fromUs));
  return n;
}

/** The first send of `s` (among those sent) whose stamp is at or after `us`. */
function firstStampedAt(s: Paced, us: number): number {
  const stamp = (k: number) => Math.floor(dueAt(s, k));
  let k = Math.min(s.sent, Math.max(0, Math.ceil((us - s.first) / s.intervalUs)));
  while (k > 0 && stamp(k - 1) >= us) k--;
  while (k < s.sent && stamp(k) < us) k++;
  return k;
}

export async function waitFor(cond: () => boolean, maxMs: number): Promise<boolean> {
  const end = performance.now() + maxMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await sleep(5);
  }
  return true;
}

/** CPU of the system under test and of this process over a window. */
export class CpuWindow {
  private sut0 = 0;
  private own0 = process.cpuUsage();
  private t0 = 0;
  sutSeconds = 0;
  ownSeconds = 0;
  seconds = 0;
  private stolen0 = 0;
  stolenSeconds = 0;
  constructor(private readonly pid: number) {}
  start(): void {
    this.stolen0 = hostStolenSeconds();
    this.sut0 = this.pid ? cpuSeconds(this.pid) : 0;
    this.own0 = process.cpuUsage();
    this.t0 = performance.now();
  }
  stop(): void {
    this.seconds = (performance.now() - this.t0) / 1000;
    this.sutSeconds = this.pid ? cpuSeconds(this.pid) - this.sut0 : NaN;
    const own = process.cpuUsage(this.own0);
    this.ownSeconds = (own.user + own.system) / 1e6;
    this.stolenSeconds = hostStolenSeconds() - this.stolen0;
  }
  get sutUtil(): number {
    return this.sutSeconds / this.seconds;
  }
  get ownUtil(): number {
    return this.ownSeconds / this.seconds;
  }
  /** CPUs the host took from this machine during the window (see hostStolenSeconds). */
  get stolenCores(): number {
    return this.stolenSeconds / this.seconds;
  }
}
