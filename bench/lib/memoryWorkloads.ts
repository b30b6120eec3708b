/**
 * The workloads about memory and connections: W5 (many idle clients, memory per connection, one
 * broadcast to all) and W6 (a consumer that stops reading, what it costs the others). The load
 * generator (loadgen.ts) runs them; `requestGc` asks main.ts to collect the system's garbage
 * before a baseline is read.
 */
import type { Spec } from '../loadgen';
import { newHistogram, nowUs, sleep, summarize } from './common';
import { flushAll } from './outbox';
import { CpuWindow, LatencyRecorder, makePairs, pace, schedule, scheduledIn, waitFor } from './pacing';
import { RssSampler, rssBytes } from './proc';
import type { OnMessage, Receiver, Sender, System } from './systems';

type Metrics = Record<string, unknown>;

/** W5: N idle clients ramped at a fixed rate; memory per connection; one broadcast to all of them. */
export async function scale(sys: System, spec: Extract<Spec, { w: 'scale' }>, pid: number, requestGc: () => Promise<void>): Promise<Metrics> {
  const connectHist = newHistogram();
  await requestGc();
  await sleep(300);
  const rssBefore = pid ? rssBytes(pid) : NaN;
  const rss = new RssSampler(pid, 100);
  let arrived = 0;
  let lastArrivalUs = 0;
  const on: OnMessage = () => {
    arrived++;
    lastArrivalUs = nowUs();
  };
  const receivers: Receiver[] = [];
  const errors = new Map<string, number>();
  let settled = 0;
  const t0 = nowUs();
  const intervalUs = 1e6 / spec.perSecond;
  let started = 0;
  await new Promise<void>((resolve) => {
    const loop = () => {
      const now = nowUs();
      while (started < spec.clients && t0 + started * intervalUs <= now) {
        const begin = t0 + started * intervalUs; // scheduled, like every other latency here
        started++;
        sys.receiver('all', on).then(
          (r) => {
            connectHist.recordValue(Math.max(1, nowUs() - begin));
            receivers.push(r);
            settled++;
          },
          (err: Error) => {
            const key = err.message.slice(0, 80);
            errors.set(key, (errors.get(key) ?? 0) + 1);
            settled++;
          },
        );
      }
      if (started >= spec.clients) resolve();
      else setTimeout(loop, 1);
    };
    loop();
  });
  const rampSeconds = (nowUs() - t0) / 1e6;
  const allSettled = await waitFor(() => settled >= spec.clients, spec.maxWaitMs);
  const settleSeconds = (nowUs() - t0) / 1e6;
  await sleep(1000);
  const rssRaw = pid ? rssBytes(pid) : NaN;
  await requestGc();
  await sleep(300);
  const rssAfter = pid ? rssBytes(pid) : NaN;
  const connected = receivers.filter((r) => r.isOpen()).length;
  // One broadcast to everyone.
  let broadcast: Metrics;
  try {
    const sender = await sys.sender('all');
    await sleep(500);
    arrived = 0;
    const sendUs = nowUs();
    sender.send(sendUs);
    flushAll();
    const all = await waitFor(() => arrived >= connected, 30_000);
    broadcast = { reached: arrived, of: connected, complete: all, timeToLastMs: (lastArrivalUs - sendUs) / 1000 };
  } catch (err) {
    broadcast = { error: (err as Error).message };
  }
  rss.stop();
  return {
    clients: spec.clients,
    connected,
    failed: [...errors.entries()].map(([message, count]) => ({ message, count })),
    allSettled,
    rampSeconds,
    settleSeconds,
    connect: summarize(connectHist),
    sutRssBeforeBytes: rssBefore,
    sutRssAfterBytes: rssRaw,
    sutRssAfterGcBytes: rssAfter,
    sutPeakRssBytes: rss.peak,
    bytesPerConnection: (rssAfter - rssBefore) / Math.max(1, connected),
    bytesPerConnectionBeforeGc: (rssRaw - rssBefore) / Math.max(1, connected),
    broadcast,
  };
}

/** W6: steady pairs, then one receiver reading at 1 MB/s while a sender pushes at it as fast as it can. */
export async function slow(sys: System, spec: Extract<Spec, { w: 'slow' }>, pid: number): Promise<Metrics> {
  const base = new LatencyRecorder();
  const during = new LatencyRecorder();
  const on: OnMessage = (buf, s, e) => {
    base.on(buf, s, e);
    during.on(buf, s, e);
  };
  const pairs = await makePairs(sys, spec.pairs, on);
  const rss = new RssSampler(pid, 50);
  const t0 = nowUs() + 20_000;
  base.fromUs = t0 + 1_000_000;
  base.toUs = base.fromUs + spec.baselineMs * 1000;
  const slowStart = base.toUs;
  during.fromUs = slowStart + 500_000; // the slow pair's setup is not part of it
  during.toUs = slowStart + spec.slowMs * 1000;
  const streams = schedule(
    pairs.map((p) => p.sender),
    spec.rate,
    t0,
  );
  let fast: { sender: Sender; receiver: Receiver; sent: number } | undefined;
  let slowSetup: Promise<void> | undefined;
  let closedAtMs: number | undefined;
  let rssAtSlowStart = 0;
  const cpuBase = new CpuWindow(pid);
  const cpuSlow = new CpuWindow(pid);
  let phase = 0;
  await pace(streams, during.toUs, (now) => {
    if (phase === 0 && now >= base.fromUs) {
      phase = 1;
      cpuBase.start();
    }
    if (phase === 1 && now >= slowStart) {
      phase = 2;
      cpuBase.stop();
      cpuSlow.start();
      rssAtSlowStart = rss.sample();
      slowSetup = (async () => {
        const receiver = await sys.receiver('pair', () => undefined);
        receiver.throttle(spec.slowBytesPerSec);
        const sender = await sys.sender(receiver.target);
        fast = { sender, receiver, sent: 0 };
      })();
    }
    if (fast) {
      if (closedAtMs === undefined && !fast.receiver.isOpen()) closedAtMs = (now - slowStart) / 1e6; // seconds
      let k = 0;
      while (k++ < 2000 && fast.sender.isOpen() && fast.sender.backlog() < 256 * 1024) {
        fast.sender.send(now);
        fast.sent++;
      }
    }
  });
  cpuSlow.stop();
  await slowSetup;
  const expectedBase = scheduledIn(streams, base.fromUs, base.toUs);
  const expectedDuring = scheduledIn(streams, during.fromUs, during.toUs);
  await waitFor(() => during.hist.totalCount >= expectedDuring, 3000);
  rss.stop();
  const b = summarize(base.hist);
  const d = summarize(during.hist);
  return {
    others: { pairs: spec.pairs, rate: spec.rate },
    baseline: { ...b, expected: expectedBase, lost: Math.max(0, expectedBase - b.count), sutCpuUtil: cpuBase.sutUtil },
    duringSlow: { ...d, expected: expectedDuring, lost: Math.max(0, expectedDuring - d.count), sutCpuUtil: cpuSlow.sutUtil },
    p99Ratio: d.p99Ms / b.p99Ms,
    fastSent: fast?.sent ?? 0,
    slowReceived: fast?.receiver.received ?? 0,
    slowReceiverClosedAfterSec: closedAtMs ?? null,
    sutRssAtSlowStartBytes: rssAtSlowStart,
    sutPeakRssDuringSlowBytes: rss.peak,
    sutRssEndBytes: rss.sample(),
    rssSeries: rss.series.filter((_, i) => i % 4 === 0),
  };
}
