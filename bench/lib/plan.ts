/**
 * What `npm run bench` runs: every case (workload, label), the systems it runs on, its spec, its
 * time limit and its rounds, in the order they run.
 */
import type { RunRecord } from '../main';
import type { Spec, SystemName } from '../loadgen';
import { BenchOptions, SYSTEMS } from './options';

/** What a case runs on: a system under test, or (W8) the chat webview in Chromium. */
export type BenchSubject = SystemName | 'webview';

const ALL: SystemName[] = [...SYSTEMS];
const MQTT: SystemName[] = ['relay', 'mosquitto', 'aedes'];

export interface Planned {
  workload: string;
  label: string;
  systems: BenchSubject[];
  spec: Spec | ((results: RunRecord[]) => Spec);
  timeoutMs: number;
  /** Run every system this many times, round by round, and report the median (see lib/rounds.ts). */
  rounds?: number;
}

export function plan(options: Pick<BenchOptions, 'rounds' | 'searchMessages'>): Planned[] {
  /* Rounds for the workloads whose ratios a slow patch of a shared machine can turn around
   * (W1, W2, W4, W5, W6; NOTES.md, "rounds against a noisy machine", has the spread that made this
   * necessary; W6's tails moved as much: the same build's baseline p99 1.8–2.7 ms in one hour; and
   * W5's memory per connection 7.6–11.9 KB over eight runs of one build in one hour), and for W7
   * and W8, whose percentiles are of a few hundred queries or scroll steps on the same machine. */
  const ROUNDS = options.rounds;
  const p: Planned[] = [];
  for (const pairs of [1, 64]) {
    p.push({
      workload: 'w1',
      label: `${pairs} pair${pairs > 1 ? 's' : ''}`,
      systems: ALL,
      spec: { w: 'throughput', pairs, warmMs: 1000, measureMs: 4000, window: Math.floor(4096 / pairs) },
      timeoutMs: 60_000,
      rounds: ROUNDS,
    });
  }
  for (const rate of [10_000, 50_000]) {
    p.push({
      workload: 'w2',
      label: `${rate / 1000}k msgs/s`,
      systems: ALL,
      spec: { w: 'latency', pairs: 100, rate, warmMs: 1000, measureMs: 4000 },
      timeoutMs: 60_000,
      rounds: ROUNDS,
    });
  }
  p.push({
    workload: 'w2',
    label: 'half of relay peak',
    systems: ALL,
    spec: (done) => {
      const peak = done.find((r) => r.workload === 'w1' && r.system === 'relay' && r.spec.w === 'throughput' && r.spec.pairs === 64)?.metrics
        ?.deliveredPerSec as number | undefined;
      return { w: 'latency', pairs: 100, rate: Math.round((peak ?? 100_000) / 2 / 100) * 100, warmMs: 1000, measureMs: 4000 };
    },
    timeoutMs: 60_000,
    rounds: ROUNDS,
  });
  for (const receivers of [10, 100, 1000]) {
    p.push({
      workload: 'w3',
      label: `1 → ${receivers}`,
      systems: ['direct', ...MQTT, 'nats'],
      spec: { w: 'fanout', receivers, warmMs: 1000, measureMs: 3000, inflightDeliveries: 32_768, latencyDeliveriesPerSec: 100_000 },
      timeoutMs: 120_000,
    });
  }
  for (const chunk of [64 * 1024, 1024 * 1024]) {
    p.push({
      workload: 'w4',
      label: `${chunk / 1024} KiB chunks`,
      systems: ['direct', 'pipe', 'relay'],
      spec: { w: 'file', bytes: 1024 ** 3, chunk },
      timeoutMs: 120_000,
      rounds: ROUNDS,
    });
  }
  for (const chunk of [64 * 1024, 1024 * 1024]) {
    p.push({
      workload: 'w4',
      label: `${chunk / 1024} KiB chunks + chat 10k msgs/s`,
      systems: ['direct', 'pipe', 'relay'],
      spec: { w: 'file', bytes: 1024 ** 3, chunk, chat: { pairs: 100, rate: 10_000 } },
      timeoutMs: 120_000,
      rounds: ROUNDS,
    });
  }
  p.push({
    workload: 'w5',
    label: '10,000 clients at 1,000/s',
    systems: MQTT,
    spec: { w: 'scale', clients: 10_000, perSecond: 1000, maxWaitMs: 25_000 },
    timeoutMs: 180_000,
    rounds: ROUNDS,
  });
  p.push({
    workload: 'w6',
    label: '1 MB/s reader + flooding sender',
    systems: ['pipe', ...MQTT],
    spec: { w: 'slow', pairs: 20, rate: 5000, slowBytesPerSec: 1_000_000, baselineMs: 4000, slowMs: 8000 },
    timeoutMs: 90_000,
    rounds: ROUNDS,
  });
  p.push({
    workload: 'w7',
    label: `search ${options.searchMessages.toLocaleString('en-US')} messages`,
    systems: ['relay'],
    spec: { w: 'search', messages: options.searchMessages, perKind: 30, limit: 50 },
    // The first run also makes the history (seconds) and every round starts a relay on it.
    timeoutMs: 900_000,
    rounds: ROUNDS,
  });
  p.push({
    workload: 'w8',
    label: 'webview 100,000 messages',
    systems: ['webview'],
    spec: { w: 'webview', messages: 100_000, pageSize: 200, pagesBack: 20 },
    timeoutMs: 300_000,
    rounds: ROUNDS,
  });
  p.push({
    workload: 'w9',
    label: 'webview formatted messages',
    systems: ['webview'],
    spec: { w: 'richtext', opens: 5 },
    timeoutMs: 300_000,
    rounds: ROUNDS,
  });
  p.push({
    workload: 'w10',
    label: '3 relays through NATS (R1, R3) vs 1',
    systems: ['relay'],
    spec: { w: 'cluster', rate: 1000, pairs: 50, warmMs: 1000, measureMs: 4000, window: 8, receivers: 300, broadcasts: 20, failoverClients: 50 },
    // Three setups, each starting its NATS nodes and relays; runs once (its ratios are within one run).
    timeoutMs: 600_000,
  });
  return p;
}
