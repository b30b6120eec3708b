/** Renders results.json as bench/RESULTS.md: every relay figure next to its peers, with ratios.
 *  Longer than 400 lines because it is one document, section after section in the order it reads. */
import type { Results, RunRecord } from './main';
import type { SystemName } from './loadgen';
import { DEFAULT_MAX_QUEUED_BYTES } from '../src/server/relay';
import { findRun, labelsOf, millis, targetVerdicts, times } from './lib/targets';
import { SEARCH_WEBVIEW_METHOD, searchWebviewRoundFigures, searchWebviewSections } from './lib/searchWebviewReport';
import { clusterSections } from './lib/clusterReport';

type M = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PEERS: SystemName[] = ['direct', 'pipe', 'mosquitto', 'aedes', 'nats'];
const ALL: SystemName[] = ['direct', 'pipe', 'relay', 'mosquitto', 'aedes', 'nats'];

function num(n: unknown, digits = 0): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1000 || digits === 0) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}
const ms = (n: unknown) => (typeof n === 'number' ? millis(n) : '–');
const mb = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? (n / 1e6).toFixed(1) : '–');
const ratio = (a: unknown, b: unknown) => times(typeof a === 'number' ? a : undefined, typeof b === 'number' ? b : undefined);

function find(r: Results, workload: string, label: string, system: SystemName): RunRecord | undefined {
  return findRun(r.runs, workload, label, system);
}
function labels(r: Results, workload: string): string[] {
  return labelsOf(r.runs, workload);
}
function systemsIn(r: Results, workload: string): SystemName[] {
  const present = new Set(r.runs.filter((x) => x.workload === workload).map((x) => x.system));
  return ALL.filter((s) => present.has(s));
}

/** Rows = labels, columns = systems, then "relay ÷ peer" for each peer present. */
/** A figure of every system per case, and the relay's ratio to each peer unless `ratios` is false
 *  (a figure of the machine, not of the systems). */
function table(r: Results, workload: string, what: string, get: (m: M) => unknown, fmt: (v: unknown) => string, rowLabels?: string[], ratios = true): string {
  const systems = systemsIn(r, workload);
  const peers = ratios ? PEERS.filter((p) => systems.includes(p)) : [];
  const rows = rowLabels ?? labels(r, workload);
  const head = [what, ...systems, ...(systems.includes('relay') ? peers.map((p) => `relay ÷ ${p}`) : [])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const label of rows) {
    const cell = (s: SystemName) => {
      const run = find(r, workload, label, s);
      if (!run) return undefined;
      if (run.error) return `error`;
      return run.metrics ? get(run.metrics) : undefined;
    };
    const values = systems.map((s) => cell(s));
    const relay = cell('relay');
    const cells = values.map((v) => (v === 'error' ? 'error' : fmt(v)));
    const ratios = systems.includes('relay') ? peers.map((p) => ratio(relay, cell(p))) : [];
    lines.push(`| ${[label, ...cells, ...ratios].join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** What the host took from the machine during each run (steal): a figure of the machine, no ratios. */
function hostStolenTable(r: Results, workload: string): string {
  return table(
    r,
    workload,
    'CPU the host took (steal, cores)',
    (x) => x.hostStolenCores,
    (v) => num(v, 2),
    undefined,
    false,
  );
}

function metric(r: Results, workload: string, label: string, system: SystemName, get: (m: M) => unknown): number | undefined {
  const run = find(r, workload, label, system);
  const v = run?.metrics ? get(run.metrics) : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function beforeAfter(now: Results, before: Results): string {
  const rows: [string, string, string, (m: M) => unknown, (v: unknown) => string][] = [];
  for (const l of labels(now, 'w1')) {
    rows.push([`W1 ${l}: msgs/s`, 'w1', l, (m) => m.deliveredPerSec, (v) => num(v)]);
    rows.push([`W1 ${l}: relay CPU s per million`, 'w1', l, (m) => m.sutCpuSecondsPerMillion, (v) => num(v, 2)]);
  }
  for (const l of labels(now, 'w2')) {
    rows.push([`W2 ${l}: p50 ms`, 'w2', l, (m) => m.p50Ms, ms]);
    rows.push([`W2 ${l}: p99 ms`, 'w2', l, (m) => m.p99Ms, ms]);
  }
  for (const l of labels(now, 'w3')) rows.push([`W3 ${l}: deliveries/s`, 'w3', l, (m) => m.deliveriesPerSec, (v) => num(v)]);
  for (const l of labels(now, 'w4')) {
    rows.push([`W4 ${l}: MB/s`, 'w4', l, (m) => m.mbPerSec, (v) => num(v)]);
    if (l.includes('chat')) rows.push([`W4 ${l}: chat p99 ms`, 'w4', l, (m) => m.chat?.p99Ms, ms]);
  }
  for (const l of labels(now, 'w5')) {
    rows.push([`W5: connected`, 'w5', l, (m) => m.connected, (v) => num(v)]);
    rows.push([`W5: bytes per connection`, 'w5', l, (m) => m.bytesPerConnection, (v) => num(v)]);
    rows.push([`W5: connect p99 ms`, 'w5', l, (m) => m.connect?.p99Ms, ms]);
  }
  for (const l of labels(now, 'w6')) {
    rows.push([`W6: others' p99 during ms`, 'w6', l, (m) => m.duringSlow?.p99Ms, ms]);
    rows.push([`W6: peak RSS growth MB`, 'w6', l, (m) => m.sutPeakRssDuringSlowBytes - m.sutRssAtSlowStartBytes, mb]);
  }
  const lines = ['| relay figure | before | after | after ÷ before |', '| --- | ---: | ---: | ---: |'];
  for (const [name, w, l, get, fmt] of rows) {
    const b = metric(before, w, l, 'relay', get);
    const a = metric(now, w, l, 'relay', get);
    if (b === undefined && a === undefined) continue;
    lines.push(`| ${name} | ${fmt(b)} | ${fmt(a)} | ${ratio(a, b)} |`);
  }
  return lines.join('\n') + '\n';
}

/** The figures each round of a multi-round case is listed by, with how to format them. */
const ROUND_FIGURES: Record<string, [string, (m: M) => unknown, (v: unknown) => string][]> = {
  w1: [['msgs/s', (m) => m.deliveredPerSec, (v) => num(v)]],
  w2: [
    ['p50 ms', (m) => m.p50Ms, ms],
    ['p99 ms', (m) => m.p99Ms, ms],
  ],
  w4: [
    ['MB/s', (m) => m.mbPerSec, (v) => num(v)],
    ['chat p99 ms', (m) => m.chat?.p99Ms, ms],
  ],
  w5: [
    ['bytes per connection', (m) => m.bytesPerConnection, (v) => num(v)],
    ['connect p99 ms', (m) => m.connect?.p99Ms, ms],
  ],
  w6: [
    ["others' p99 ms before", (m) => m.baseline?.p99Ms, ms],
    ["others' p99 ms during", (m) => m.duringSlow?.p99Ms, ms],
    ['peak RSS during MB', (m) => m.sutPeakRssDuringSlowBytes, mb],
  ],
  ...searchWebviewRoundFigures(ms, mb, (v) => num(v)),
};

/** Each round's own figures next to the median the tables above report. */
function roundsTable(r: Results): string | undefined {
  const multi = r.runs.filter((x) => (x.rounds?.length ?? 0) > 1);
  if (multi.length === 0) return undefined;
  const most = Math.max(...multi.map((x) => x.rounds!.length));
  const head = ['case', 'system', 'figure', ...Array.from({ length: most }, (_, i) => `round ${i + 1}`), 'median', 'max ÷ min'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const x of multi) {
    for (const [name, get, fmt] of ROUND_FIGURES[x.workload] ?? []) {
      const values = x.rounds!.map((round) => (round.metrics ? get(round.metrics) : undefined));
      const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (finite.length === 0) continue;
      const cells = Array.from({ length: most }, (_, i) => (x.rounds![i]?.error ? 'error' : fmt(values[i])));
      const spread = Math.min(...finite) > 0 ? `${(Math.max(...finite) / Math.min(...finite)).toFixed(2)}×` : '–';
      lines.push(`| ${x.workload} ${x.label} | ${x.system} | ${name} | ${cells.join(' | ')} | ${fmt(x.metrics ? get(x.metrics) : undefined)} | ${spread} |`);
    }
  }
  return lines.join('\n') + '\n';
}

export function renderReport(r: Results, before?: Results, notes?: string): string {
  const m = r.machine;
  const out: string[] = [];
  out.push('# Relay benchmark results\n');
  out.push(`Produced by \`npm run bench\` on ${r.date} in ${Math.round(r.totalSeconds)} s. Raw figures: \`bench/results.json\`.\n`);
  out.push('## Machine\n');
  out.push('| | |\n| --- | --- |');
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out.push(`| ${k} | ${v} |`);
  out.push('');
  if (Object.keys(r.missing).length) {
    out.push('**Missing peers:**\n');
    for (const [k, v] of Object.entries(r.missing)) out.push(`- ${k}: ${v}`);
    out.push('');
  }
  const bg = r.runs.map((x) => x.backgroundCores).filter((x): x is number => typeof x === 'number');
  if (bg.length) {
    const worst = Math.max(...bg);
    out.push(
      `CPU time not accounted to the bench's own processes (other programs on the machine, plus kernel network work done outside any process) averaged ${(bg.reduce((a, b) => a + b, 0) / bg.length).toFixed(2)} cores during the runs (worst run: ${worst.toFixed(2)} of ${m.cores}); see the last table. Latency tails are sensitive to that.\n`,
    );
  }
  out.push('## Method\n');
  out.push(
    [
      '- Every system runs in its own process, started and stopped by the bench: the relay (`src/server/relay.ts`, team secret on, history in memory; the per-client message and text rate limits and the per-address connection cap are switched off because one load generator on one address stands in for many people), a plain `pipe()` relay, Mosquitto (QoS 0, `persistence false`), Aedes, and in W1–W3 nats-server (core NATS pub/sub, no JetStream). Where `taskset` exists, the system under test is pinned to CPU 1 and the load generator to CPU 0.',
      '- **direct** is the limit: the same sender and receiver code with a TCP connection straight from sender to receiver, no relay. **pipe** is the same connection through a process that does `client.pipe(upstream); upstream.pipe(client)`.',
      '- One load generator process (`bench/loadgen.ts`) drives every system through a small adapter: for the relay a lean client speaking the real protocol (signed hello, team-secret proof, control frames from the project codec, credit-based file transfer) that skips roster bookkeeping; for MQTT the `mqtt` npm client; for NATS the official `@nats-io/transport-node` client; for direct and pipe the same `send` and data frames the relay is sent.',
      '- Messages carry 100 bytes of text. Latency is open loop: every message is scheduled at a fixed interval and carries its scheduled time; latency = arrival − scheduled time, so a stalled sender or system counts in full. Histograms are HDR (hdr-histogram-js, 3 significant digits).',
      '- Throughput runs are closed loop with a fixed number of messages in flight per pair (4,096 in total; 32,768 deliveries for fan-out), measured for 4 s (3 s fan-out) after 1 s of warm-up. CPU is from /proc at the edges of the window; RSS is sampled every 50–100 ms; memory per idle connection is (RSS after connecting − RSS before) ÷ connections, after a forced GC on Node systems.',
      '- W1, W2, W4, W5, W6, W7, W8 and W9 run in rounds (3 unless `--rounds` says otherwise), every system once per round, one after the other, so that a slow patch of a shared machine lands on one round of each system rather than on all rounds of one. Each figure in their tables is the median of that figure over the rounds (a p99 is the median of the rounds\' p99s); the "Rounds" section lists every round. W3 runs once.',
      "- Fan-out p99 is measured at 100,000 deliveries/s for every receiver count. File transfers move 1 GiB from memory (no disk, no hashing) with 64 KiB or 1 MiB chunks; through the relay with the real offer/answer/credit flow and the real client's receive window (8 MiB). Chat during a transfer is measured at 10,000 msgs/s over 100 pairs by a second load generator process that moves no file (W2's open-loop code): the chat runs alone for 1 s, then the window is open from the start of the transfer to its end, which the file's load generator sends it as a time (messages are counted by scheduled time). It shares CPU 0 with the file's load generator, the same for every system, sleeping until its next send and running as SCHED_FIFO (machine table, `chatLoadgen`), so that its own wake-up delay is not part of the figure: the direct column is this instrument's floor. Before, one process sent the file and the chat, and its own turn time put every system, direct included, at 14–45 ms. Scale: 10,000 receivers ramped at 1,000/s; connect time runs from the scheduled start to the welcome (relay) or SUBACK (MQTT). Slow consumer: 20 pairs at 5,000 msgs/s total, then one receiver reading 1 MB/s while a sender pushes to it whenever its socket buffer has room.",
      ...SEARCH_WEBVIEW_METHOD,
    ].join('\n') + '\n',
  );
  out.push('## Targets\n');
  out.push(
    'The last column puts the same rule to every other system measured in that case. Where the plain `pipe()` relay (a process that only copies bytes) or the direct connection misses a target too, in the same run, the target is below what this machine gives any relay.\n',
  );
  out.push('| target | measured | against | met | other systems, same rule |\n| --- | --- | --- | --- | --- |');
  for (const t of targetVerdicts(r.runs, DEFAULT_MAX_QUEUED_BYTES)) {
    out.push(
      `| ${t.name} | ${t.measured} | ${t.against} | ${t.met === undefined ? 'not run' : t.met ? 'met' : '**missed**'} | ${t.others.join('; ') || '–'} |`,
    );
  }
  out.push('');
  const section = (title: string, body: string) => out.push(`## ${title}\n\n${body}`);
  if (labels(r, 'w1').length) {
    section(
      'W1 Direct-message throughput',
      table(
        r,
        'w1',
        'delivered msgs/s',
        (x) => x.deliveredPerSec,
        (v) => num(v),
      ) +
        '\n' +
        table(
          r,
          'w1',
          'system CPU s per million msgs',
          (x) => x.sutCpuSecondsPerMillion,
          (v) => num(v, 2),
        ) +
        '\n' +
        table(
          r,
          'w1',
          'system CPU use (cores)',
          (x) => x.sutCpuUtil,
          (v) => num(v, 2),
        ) +
        '\n' +
        table(
          r,
          'w1',
          'load generator CPU use (cores)',
          (x) => x.loadgenCpuUtil,
          (v) => num(v, 2),
        ) +
        '\n' +
        hostStolenTable(r, 'w1') +
        '\nA load generator near 1.00 core is itself the limit of that run: the system figure is then a lower bound.\n',
    );
  }
  if (labels(r, 'w2').length) {
    const rates = labels(r, 'w2').map((l) => {
      const run = r.runs.find((x) => x.workload === 'w2' && x.label === l);
      return run && run.spec.w === 'latency' ? `${l} = ${num(run.spec.rate)} msgs/s` : l;
    });
    section(
      'W2 Latency under fixed load (100 pairs, open loop)',
      `Rates: ${rates.join('; ')}.\n\n` +
        table(r, 'w2', 'p50 ms', (x) => x.p50Ms, ms) +
        '\n' +
        table(r, 'w2', 'p99 ms', (x) => x.p99Ms, ms) +
        '\n' +
        table(r, 'w2', 'p99.9 ms', (x) => x.p999Ms, ms) +
        '\n' +
        table(
          r,
          'w2',
          'not delivered within 3 s',
          (x) => Math.max(0, x.lost),
          (v) => num(v),
        ) +
        '\n' +
        table(
          r,
          'w2',
          'system CPU use (cores)',
          (x) => x.sutCpuUtil,
          (v) => num(v, 2),
        ) +
        '\n' +
        hostStolenTable(r, 'w2') +
        '\nA virtual machine held to a CPU quota loses its CPUs for up to ~100 ms at a time once it uses more than the quota (steal): a run where the host took CPU has its tail set by the host, not by the system (bench/NOTES.md).\n',
    );
  }
  if (labels(r, 'w3').length) {
    section(
      'W3 Broadcast fan-out (1 sender)',
      table(
        r,
        'w3',
        'deliveries/s',
        (x) => x.deliveriesPerSec,
        (v) => num(v),
      ) +
        '\n' +
        table(r, 'w3', 'p99 ms at 100k deliveries/s', (x) => x.latencyAt?.p99Ms, ms) +
        '\n' +
        table(r, 'w3', 'p50 ms at 100k deliveries/s', (x) => x.latencyAt?.p50Ms, ms) +
        '\n' +
        table(
          r,
          'w3',
          'load generator CPU use (cores)',
          (x) => x.loadgenCpuUtil,
          (v) => num(v, 2),
        ) +
        "\nThe direct peer writes each message to every receiver socket from the one sender process: at 1,000 receivers that is the load generator's own limit, not a relay's.\n",
    );
  }
  if (labels(r, 'w4').length) {
    section(
      'W4 File relay (1 GiB)',
      table(
        r,
        'w4',
        'MB/s',
        (x) => x.mbPerSec,
        (v) => num(v),
      ) +
        '\n' +
        table(r, 'w4', 'system peak RSS MB', (x) => x.sutPeakRssBytes, mb) +
        '\n' +
        table(
          r,
          'w4',
          'chat p99 ms during the transfer',
          (x) => x.chat?.p99Ms,
          ms,
          labels(r, 'w4').filter((l) => l.includes('chat')),
        ) +
        '\n' +
        table(
          r,
          'w4',
          'chat p50 ms during the transfer',
          (x) => x.chat?.p50Ms,
          ms,
          labels(r, 'w4').filter((l) => l.includes('chat')),
        ) +
        '\n' +
        table(
          r,
          'w4',
          'chat load generator CPU use (cores)',
          (x) => x.chat?.loadgenCpuUtil,
          (v) => num(v, 2),
          labels(r, 'w4').filter((l) => l.includes('chat')),
        ) +
        '\nThe chat load generator shares CPU 0 with the one that moves the file, so the "+ chat" file rates are those of a load generator with the rest of that core.\n',
    );
  }
  if (labels(r, 'w5').length) {
    section(
      'W5 Connection scale (10,000 idle clients at 1,000/s)',
      table(
        r,
        'w5',
        'connected',
        (x) => x.connected,
        (v) => num(v),
      ) +
        '\n' +
        table(
          r,
          'w5',
          'bytes per connection (after GC)',
          (x) => x.bytesPerConnection,
          (v) => num(v),
        ) +
        '\n' +
        table(
          r,
          'w5',
          'bytes per connection (before GC)',
          (x) => x.bytesPerConnectionBeforeGc,
          (v) => num(v),
        ) +
        '\n' +
        table(r, 'w5', 'connect p50 ms', (x) => x.connect?.p50Ms, ms) +
        '\n' +
        table(r, 'w5', 'connect p99 ms', (x) => x.connect?.p99Ms, ms) +
        '\n' +
        table(
          r,
          'w5',
          'all settled after s',
          (x) => x.settleSeconds,
          (v) => num(v, 1),
        ) +
        '\n' +
        table(r, 'w5', 'one broadcast: ms to the last client', (x) => x.broadcast?.timeToLastMs, ms) +
        '\n' +
        table(r, 'w5', 'system peak RSS MB', (x) => x.sutPeakRssBytes, mb),
    );
  }
  if (labels(r, 'w6').length) {
    section(
      'W6 Slow consumer (1 MB/s reader, flooding sender)',
      table(r, 'w6', "others' p99 ms before", (x) => x.baseline?.p99Ms, ms) +
        '\n' +
        table(r, 'w6', "others' p99 ms during", (x) => x.duringSlow?.p99Ms, ms) +
        '\n' +
        table(
          r,
          'w6',
          'p99 during ÷ before',
          (x) => x.p99Ratio,
          (v) => num(v, 2),
        ) +
        '\n' +
        table(r, 'w6', 'RSS at slow start MB', (x) => x.sutRssAtSlowStartBytes, mb) +
        '\n' +
        table(r, 'w6', 'peak RSS during MB', (x) => x.sutPeakRssDuringSlowBytes, mb) +
        '\n' +
        table(
          r,
          'w6',
          'slow receiver dropped after s',
          (x) => x.slowReceiverClosedAfterSec,
          (v) => (v === null ? 'kept' : num(v, 1)),
        ) +
        '\n' +
        table(
          r,
          'w6',
          'system CPU use during (cores)',
          (x) => x.duringSlow?.sutCpuUtil,
          (v) => num(v, 2),
        ),
    );
  }
  for (const [title, body] of [...searchWebviewSections(r.runs), ...clusterSections(r.runs)]) section(title, body);
  if (before) {
    const halfRate = (x: Results) => {
      const run = x.runs.find((y) => y.workload === 'w2' && y.label === 'half of relay peak' && y.system === 'relay');
      return run && run.spec.w === 'latency' ? num(run.spec.rate) : '–';
    };
    section(
      `Before and after the relay changes`,
      `Before: run of ${before.date} (${before.machine.commit}), kept as \`bench/results-before.json\`; after: this run. ` +
        `"Half of relay peak" is half of each build's own W1 64-pair figure, so those rows ran at different rates (before ${halfRate(before)}, after ${halfRate(r)} msgs/s).\n\n` +
        beforeAfter(r, before),
    );
  }
  if (notes) out.push(notes.trim() + '\n');
  const rounds = roundsTable(r);
  if (rounds) section('Rounds', "Each round's own figures for the cases run in rounds; the tables above report the median.\n\n" + rounds);
  out.push('## Runs\n');
  out.push('| workload | case | system | wall s | CPU not ours (cores) | error |\n| --- | --- | --- | ---: | ---: | --- |');
  for (const x of r.runs)
    out.push(
      `| ${x.workload} | ${x.label} | ${x.system} | ${x.wallSeconds.toFixed(1)} | ${num(x.backgroundCores, 2)} | ${x.error ? x.error.slice(0, 200).replace(/\|/g, '/') : ''} |`,
    );
  out.push('');
  return out.join('\n');
}
