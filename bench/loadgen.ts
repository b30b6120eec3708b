/**
 * The load generator: one process that drives every system with the same code. It is forked
 * by main.ts once per run, told which system to drive and where it listens, runs one workload,
 * and reports its figures. CPU and memory of the system under test are read from /proc here,
 * at the exact edges of the measurement window.
 *
 * W4 "+ chat" runs take two: one moves the file (`file`), a second one forked the same way runs
 * the chat pairs and measures them (`chat`) and moves no file; main.ts passes the `chat-*`
 * messages between the two.
 */
import { fromEpochUs, LatencySummary, nowUs, sleep, summarize, toEpochUs } from './lib/common';
import { flushAll } from './lib/outbox';
import { scale, slow } from './lib/memoryWorkloads';
import { CpuWindow, inBatches, LatencyRecorder, makePairs, pace, schedule, scheduledIn, waitFor } from './lib/pacing';
import { RssSampler } from './lib/proc';
import type { SearchRunSpec } from './lib/searchRun';
import { search, SearchSpec } from './lib/searchWorkload';
import type { WebviewSpec } from './lib/webviewWorkload';
import type { RichTextSpec } from './lib/richTextWorkload';
import type { ClusterSpec } from './lib/clusterWorkload';
import { DirectHub, DirectSystem, MqttSystem, NatsSystem, RelaySystem, System } from './lib/systems';
import type { BenchSystem } from './lib/options';

/** Every system the bench can drive (the list itself: `SYSTEMS` in lib/options.ts). */
export type SystemName = BenchSystem;

export type Spec =
  | { w: 'throughput'; pairs: number; warmMs: number; measureMs: number; window: number }
  | { w: 'latency'; pairs: number; rate: number; warmMs: number; measureMs: number }
  | { w: 'fanout'; receivers: number; warmMs: number; measureMs: number; inflightDeliveries: number; latencyDeliveriesPerSec: number }
  | { w: 'file'; bytes: number; chunk: number; chat?: { pairs: number; rate: number } }
  /** The chat of a W4 "+ chat" run, in a load generator of its own (main.ts derives it from the file spec). */
  | { w: 'chat'; pairs: number; rate: number; warmMs: number; nap: boolean }
  | { w: 'scale'; clients: number; perSecond: number; maxWaitMs: number }
  | { w: 'slow'; pairs: number; rate: number; slowBytesPerSec: number; baselineMs: number; slowMs: number }
  /** W7 and W8 as main.ts plans and records them (lib/searchRun.ts, lib/webviewWorkload.ts)… */
  | SearchRunSpec
  | WebviewSpec
  /** W9, formatted messages in the webview (lib/richTextWorkload.ts). */
  | RichTextSpec
  /** W10, relays joined through NATS JetStream against one relay (lib/clusterWorkload.ts). */
  | ClusterSpec
  /** …and W7's queries, which main.ts has a load generator ask (lib/searchWorkload.ts). */
  | SearchSpec;

export interface RunRequest {
  t: 'run';
  spec: Spec;
  system: SystemName;
  /** Where the system under test listens (the hub itself for 'direct'). */
  port: number;
  /** The process to measure (0 for 'direct'). */
  pid: number;
}

type Metrics = Record<string, unknown>;

const hub = new DirectHub();
let gcWaiter: (() => void) | undefined;

/** Messages between the file and the chat load generator of a W4 "+ chat" run (main.ts passes them on). */
export type ChatMessage =
  | { t: 'chat-ready' } // chat → file: the pairs have run alone for warmMs
  | { t: 'chat-open' } // file → chat: the transfer is about to start: open the window
  | { t: 'chat-opened' } // chat → file: it is open
  | { t: 'chat-close'; endEpochUs: number }; // file → chat: the transfer ended then: close the window there

const arrived = new Map<string, ChatMessage>();
const waiting = new Map<string, (m: ChatMessage) => void>();

/** The next message of type `t` (whether it came before or after this call). */
function next<T extends ChatMessage['t']>(t: T): Promise<Extract<ChatMessage, { t: T }>> {
  return new Promise((resolve) => {
    const m = arrived.get(t);
    arrived.delete(t);
    if (m) resolve(m as Extract<ChatMessage, { t: T }>);
    else waiting.set(t, resolve as (m: ChatMessage) => void);
  });
}

function deliver(m: ChatMessage): void {
  const w = waiting.get(m.t);
  waiting.delete(m.t);
  if (w) w(m);
  else arrived.set(m.t, m);
}

/** Asks main to make the system under test collect garbage (Node systems started with --expose-gc). */
function requestGc(): Promise<void> {
  return new Promise<void>((resolve) => {
    gcWaiter = resolve;
    process.send!({ t: 'gc' });
    setTimeout(resolve, 3000);
  });
}

function makeSystem(req: RunRequest): System {
  switch (req.system) {
    case 'relay':
      return new RelaySystem(req.port);
    case 'direct':
    case 'pipe':
      return new DirectSystem(req.system, hub, req.port);
    case 'mosquitto':
    case 'aedes':
      return new MqttSystem(req.system, req.port);
    case 'nats':
      return new NatsSystem(req.port);
  }
}

/** Runs `make` for 0..n-1 with at most `limit` in flight, in order of index. */
// ------------------------------------------------------------------------------------ workloads

/** W1: as many messages as the system delivers, each pair keeping at most `window` in flight. */
async function throughput(sys: System, spec: Extract<Spec, { w: 'throughput' }>, pid: number): Promise<Metrics> {
  const pairs = await makePairs(sys, spec.pairs, () => undefined);
  const delivered = () => pairs.reduce((n, p) => n + p.receiver.received, 0);
  const { cpu, count: msgs } = await closedLoop(spec, pid, delivered, (now) => {
    for (const p of pairs) {
      let n = Math.min(512, spec.window - (p.sent - p.receiver.received));
      while (n-- > 0) {
        p.sender.send(now);
        p.sent++;
      }
    }
  });
  return {
    deliveredPerSec: msgs / cpu.seconds,
    sutCpuSecondsPerMillion: (cpu.sutSeconds / msgs) * 1e6,
    sutCpuUtil: cpu.sutUtil,
    loadgenCpuUtil: cpu.ownUtil,
    hostStolenCores: cpu.stolenCores,
    windowSeconds: cpu.seconds,
    open: pairs.every((p) => p.receiver.isOpen() && p.sender.isOpen()),
  };
}

/**
 * Closed-loop load: `pump` tops up the senders once per event-loop turn; after `warmMs` the
 * deliveries and CPU are counted for `measureMs`. W1 and W3's peak phase both run on this.
 */
async function closedLoop(
  spec: { warmMs: number; measureMs: number },
  pid: number,
  delivered: () => number,
  pump: (now: number) => void,
): Promise<{ cpu: CpuWindow; count: number }> {
  const cpu = new CpuWindow(pid);
  const warmEnd = nowUs() + spec.warmMs * 1000;
  const end = warmEnd + spec.measureMs * 1000;
  let d0 = 0;
  let started = false;
  return new Promise((resolve) => {
    const loop = () => {
      const now = nowUs();
      if (!started && now >= warmEnd) {
        started = true;
        d0 = delivered();
        cpu.start();
      }
      if (now >= end) {
        const count = delivered() - d0;
        cpu.stop();
        resolve({ cpu, count });
        return;
      }
      pump(now);
      flushAll();
      setImmediate(loop);
    };
    loop();
  });
}

/** W2: fixed total rate over `pairs`, open loop: latency from the scheduled send time. */
async function latency(sys: System, spec: Extract<Spec, { w: 'latency' }>, pid: number): Promise<Metrics> {
  const rec = new LatencyRecorder();
  const pairs = await makePairs(sys, spec.pairs, rec.on);
  const t0 = nowUs() + 20_000;
  rec.fromUs = t0 + spec.warmMs * 1000;
  rec.toUs = rec.fromUs + spec.measureMs * 1000;
  const streams = schedule(
    pairs.map((p) => p.sender),
    spec.rate,
    t0,
  );
  const cpu = new CpuWindow(pid);
  let started = false;
  await pace(streams, rec.toUs, (now) => {
    if (!started && now >= rec.fromUs) {
      started = true;
      cpu.start();
    }
  });
  cpu.stop();
  const expected = scheduledIn(streams, rec.fromUs, rec.toUs);
  await waitFor(() => rec.hist.totalCount >= expected, 3000);
  return {
    ...summarize(rec.hist),
    expected,
    lost: Math.max(0, expected - rec.hist.totalCount),
    achievedPerSec: rec.hist.totalCount / (spec.measureMs / 1000),
    sutCpuUtil: cpu.sutUtil,
    loadgenCpuUtil: cpu.ownUtil,
    hostStolenCores: cpu.stolenCores,
  };
}

/** W3: one sender, N receivers: peak deliveries/s (closed loop), then p99 at a fixed delivery rate. */
async function fanout(sys: System, spec: Extract<Spec, { w: 'fanout' }>, pid: number): Promise<Metrics> {
  const rec = new LatencyRecorder();
  const receivers = await inBatches(spec.receivers, 32, () => sys.receiver('all', rec.on));
  const sender = await sys.sender('all');
  const n = receivers.length;
  const delivered = () => receivers.reduce((s, r) => s + r.received, 0);
  const window = Math.max(2, Math.floor(spec.inflightDeliveries / n));
  // Phase 1: peak.
  let sent = 0;
  const { cpu, count } = await closedLoop(spec, pid, delivered, (now) => {
    let k = Math.min(256, window - (sent - Math.floor(delivered() / n)));
    while (k-- > 0) {
      sender.send(now);
      sent++;
    }
  });
  const peak = count / cpu.seconds;
  await waitFor(() => delivered() >= sent * n, 5000);
  // Phase 2: latency at a fixed delivery rate (the same for every system).
  const msgRate = spec.latencyDeliveriesPerSec / n;
  const s0 = nowUs() + 20_000;
  rec.fromUs = s0 + spec.warmMs * 1000;
  rec.toUs = rec.fromUs + spec.measureMs * 1000;
  const streams = schedule([sender], msgRate, s0);
  await pace(streams, rec.toUs);
  const expected = scheduledIn(streams, rec.fromUs, rec.toUs) * n;
  await waitFor(() => rec.hist.totalCount >= expected, 3000);
  return {
    receivers: n,
    deliveriesPerSec: peak,
    messagesPerSec: peak / n,
    sutCpuUtil: cpu.sutUtil,
    loadgenCpuUtil: cpu.ownUtil,
    latencyAt: {
      deliveriesPerSec: spec.latencyDeliveriesPerSec,
      messagesPerSec: msgRate,
      ...summarize(rec.hist),
      expected,
      lost: expected - rec.hist.totalCount,
    },
  };
}

/**
 * W4: one file through the system. With `spec.chat`, W2's chat runs meanwhile in another load
 * generator process (`chat` below): this one only tells it when the transfer starts and ends.
 */
async function file(sys: System, spec: Extract<Spec, { w: 'file' }>, pid: number): Promise<Metrics> {
  if (!sys.fileTransfer) throw new Error(`${sys.name} has no file transfer`);
  const rss = new RssSampler(pid, 50);
  const rssBefore = rss.sample();
  if (spec.chat) {
    const opened = next('chat-opened');
    process.send!({ t: 'chat-open' });
    await opened;
  }
  const cpu = new CpuWindow(pid);
  cpu.start();
  const run = await sys.fileTransfer(spec.bytes, spec.chunk);
  cpu.stop();
  if (spec.chat) process.send!({ t: 'chat-close', endEpochUs: toEpochUs(run.endUs) });
  rss.stop();
  const seconds = (run.endUs - run.startUs) / 1e6;
  return {
    bytes: run.bytes,
    chunk: spec.chunk,
    seconds,
    mbPerSec: run.bytes / 1e6 / seconds,
    sutRssBeforeBytes: rssBefore,
    sutPeakRssBytes: rss.peak,
    sutCpuUtil: cpu.sutUtil,
    loadgenCpuUtil: cpu.ownUtil,
  };
}

/**
 * W4's chat, in a load generator that moves no file: W2's open-loop pairs run alone for `warmMs`
 * (so the transfer starts into a loaded system), then the window is open from the file load
 * generator's 'chat-open' (sent just before it starts the transfer) to the transfer's end, which
 * it sends as an epoch time. Messages are counted by their scheduled time, as everywhere.
 */
async function chat(sys: System, spec: Extract<Spec, { w: 'chat' }>, pid: number): Promise<Metrics> {
  const rec = new LatencyRecorder();
  const pairs = await makePairs(sys, spec.pairs, rec.on);
  const streams = schedule(
    pairs.map((p) => p.sender),
    spec.rate,
    nowUs() + 20_000,
  );
  let done = false;
  const paced = pace(streams, Number.POSITIVE_INFINITY, undefined, () => done, spec.nap);
  const open = next('chat-open');
  const close = next('chat-close');
  await sleep(spec.warmMs);
  process.send!({ t: 'chat-ready' });
  await open;
  const cpu = new CpuWindow(pid);
  cpu.start();
  rec.fromUs = nowUs();
  rec.toUs = Number.POSITIVE_INFINITY; // until the transfer's end is known
  process.send!({ t: 'chat-opened' });
  const { endEpochUs } = await close;
  cpu.stop();
  rec.closeAt(fromEpochUs(endEpochUs));
  const closeLagMs = (nowUs() - rec.toUs) / 1000;
  done = true;
  await paced;
  const expected = scheduledIn(streams, rec.fromUs, rec.toUs);
  await waitFor(() => rec.hist.totalCount >= expected, 3000);
  return {
    rate: spec.rate,
    ...summarize(rec.hist),
    expected,
    lost: Math.max(0, expected - rec.hist.totalCount),
    /** This process's CPU use while the window was open, in cores. */
    loadgenCpuUtil: cpu.ownUtil,
    /** How long after the transfer's end (by the other process's clock) this one heard of it: ≥ 0 when the two clocks agree. */
    closeLagMs,
  };
}

async function run(req: RunRequest): Promise<Metrics> {
  if (req.spec.w === 'search-queries') return search(req.spec, req.port, req.pid);
  if (req.spec.w === 'search' || req.spec.w === 'webview' || req.spec.w === 'richtext' || req.spec.w === 'cluster')
    throw new Error(`${req.spec.w} runs in main.ts, not in a load generator`);
  const sys = makeSystem(req);
  try {
    switch (req.spec.w) {
      case 'throughput':
        return await throughput(sys, req.spec, req.pid);
      case 'latency':
        return await latency(sys, req.spec, req.pid);
      case 'fanout':
        return await fanout(sys, req.spec, req.pid);
      case 'file':
        return await file(sys, req.spec, req.pid);
      case 'chat':
        return await chat(sys, req.spec, req.pid);
      case 'scale':
        return await scale(sys, req.spec, req.pid, requestGc);
      case 'slow':
        return await slow(sys, req.spec, req.pid);
    }
  } finally {
    sys.close();
  }
}

export type { LatencySummary };

process.on('message', (msg: RunRequest | ChatMessage | { t: 'gc-done' } | { t: 'exit' }) => {
  if (msg.t === 'exit') process.exit(0);
  if (msg.t === 'gc-done') {
    gcWaiter?.();
    gcWaiter = undefined;
    return;
  }
  if (msg.t !== 'run') return deliver(msg);
  run(msg).then(
    (metrics) => process.send!({ t: 'result', metrics }),
    (err: Error) => process.send!({ t: 'result', error: err.stack ?? String(err) }),
  );
});

void hub.listen().then((port) => process.send!({ t: 'ready', hubPort: port }));
