/**
 * RESULTS.md's section for W10: the three setups' figures side by side, and the cluster's as
 * ratios against the single relay measured in the same run.
 */
import type { RunRecord } from '../main';

type M = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SETUPS = ['single', 'cluster R1', 'cluster R3'];
const ROWS: [string, (f: M) => unknown][] = [
  ['direct message across relays p50 ms', (f) => f.latency?.p50Ms],
  ['direct message across relays p99 ms', (f) => f.latency?.p99Ms],
  ['delivered msgs/s (window of sends in flight)', (f) => f.throughput?.deliveredPerSec],
  ['broadcast deliveries/s', (f) => f.fanout?.deliveriesPerSec],
  ['broadcast reached everyone p99 ms', (f) => f.fanout?.everyoneP99Ms],
  ['failover: people back and delivering, max ms', (f) => f.failover?.backMaxMs],
];

/** [title, body] of the W10 section, or nothing when W10 did not run. */
export function clusterSections(runs: RunRecord[]): [string, string][] {
  const run = runs.find((r) => r.workload === 'w10');
  if (!run) return [];
  if (!run.metrics) return [['W10 Relays joined through NATS JetStream', `Not measured: ${run.error ?? 'no figures'}\n`]];
  const m = run.metrics as M;
  const spec = run.spec as M;
  const cell = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : 'n/a');
  const lines = [
    `Three relays on one 3-node NATS JetStream cluster (chat stream with 1 and with 3 replicas) against one relay alone, on the same machine in the same run (bench/lib/clusterWorkload.ts; method and caveats: bench/NOTES.md, "Issue 29: the cluster workload (W10)"). Direct messages at ${spec.rate} msgs/s between ${spec.pairs} pairs whose two people are on different relays; throughput with ${spec.window} sends in flight per pair; ${spec.broadcasts} broadcasts to ${spec.receivers} people; failover kills (SIGKILL) a relay with ${spec.failoverClients} people (alone: restarted in place).\n`,
    `| | ${SETUPS.join(' | ')} |`,
    `| --- | ${SETUPS.map(() => '---').join(' | ')} |`,
    ...ROWS.map(([label, get]) => `| ${label} | ${SETUPS.map((s) => cell(m[s] ? get(m[s]) : undefined)).join(' | ')} |`),
    '',
    'Ratios against the single relay (latency and failover: above 1 is slower; throughput: below 1 is less):\n',
    `| | ${Object.keys(m.ratios?.['cluster R1'] ?? {}).join(' | ')} |`,
    `| --- | ${Object.keys(m.ratios?.['cluster R1'] ?? {})
      .map(() => '---')
      .join(' | ')} |`,
    ...['cluster R1', 'cluster R3'].map(
      (s) =>
        `| ${s} | ${Object.values((m.ratios?.[s] ?? {}) as Record<string, number>)
          .map(cell)
          .join(' | ')} |`,
    ),
    '',
  ];
  return [['W10 Relays joined through NATS JetStream', lines.join('\n')]];
}
