/**
 * `npm run bench`: starts each system under test and a fresh load generator for every run,
 * runs the workloads, and writes bench/results.json and bench/RESULTS.md.
 *
 * Options: `npm run bench -- --help` (bench/lib/options.ts).
 * Environment (experiments only, never for a recorded run):
 *   BENCH_FILE_WINDOW    overrides the relay file receiver's window
 *   BENCH_SUT_FLAGS      extra Node/V8 flags for the relay under test (e.g. "--trace-gc")
 *   BENCH_RELAY_OPTIONS  JSON merged into the relay's options (e.g. '{"historyMaxEntries":100}')
 *   BENCH_LOOP_TRACE     the system under test (relay, pipe) logs how long its event-loop turns were
 *   BENCH_STALL_LOG      …or logs each time its 1 ms timer fires more than 4 ms late, when, and how
 *                        long its event-loop thread ran and waited for its CPU meanwhile
 *   BENCH_HEAP_SAMPLE    FILE: the system under test writes a sampled heap profile there (sut.ts)
 *   BENCH_HELPER_NICE    N: the system under test runs its helper threads at nice N (NOTES.md)
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeMachine, machineBusySeconds, waitForQuiet } from './lib/machine';
import { BenchOptions, BenchUsageError, parseBenchArgs, USAGE } from './lib/options';
import { within } from './lib/common';
import { cpuSeconds, describeProcess, dumpThreads, selfAndEndedChildrenCpuSeconds } from './lib/proc';
import { BenchProcesses, CHRT, findMosquitto, findNatsServer, hasAedes, request, schedulingOf, stopChild, Sut } from './lib/processes';
import { BenchSubject, plan, Planned } from './lib/plan';
import { median, medianOfRounds } from './lib/rounds';
import { runSearch } from './lib/searchRun';
import { runWebview } from './lib/webviewWorkload';
import { runRichText } from './lib/richTextWorkload';
import { runCluster } from './lib/clusterWorkload';
import { CHROMIUM } from '../test/webview/chatPage';
import type { Spec } from './loadgen';
import { renderReport } from './report';

const ROOT = path.resolve(__dirname, '..');
const BENCH = path.join(ROOT, 'bench');
const TMP = path.join(BENCH, 'tmp');
const OUT_BENCH = __dirname;

const options = ((): BenchOptions => {
  try {
    return parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
})();
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (options.relayBundle && !fs.existsSync(options.relayBundle)) {
  process.stderr.write(`bench: --relay-bundle: no such file: ${options.relayBundle}\n`);
  process.exit(2);
}
const outDir = path.resolve(options.out ?? BENCH);

export interface RunRecord {
  workload: string;
  label: string;
  system: BenchSubject;
  spec: Spec;
  metrics?: Record<string, unknown>;
  error?: string;
  wallSeconds: number;
  /** Machine CPU time during the run not accounted to the bench's own processes (other
   *  programs, and kernel work outside process context), in cores. */
  backgroundCores?: number;
  /** Each round's own figures when the case ran in rounds; `metrics` is then their median. */
  rounds?: RoundRecord[];
}

export interface RoundRecord {
  metrics?: Record<string, unknown>;
  error?: string;
  wallSeconds: number;
  backgroundCores?: number;
}

export interface Results {
  date: string;
  machine: Record<string, unknown>;
  missing: Record<string, string>;
  totalSeconds: number;
  runs: RunRecord[];
}

/**
 * W4 "+ chat" measures the chat in a second load generator process that moves no file. It shares
 * CPU 0 with the file's load generator (CPU 1 is the system's), the same for every system: it
 * sleeps until its next send is due and runs as SCHED_FIFO, so that it runs as soon as it wakes
 * and not when the file's load generator's time slice ends. NOTES.md has the options that were
 * measured ("Chat during a transfer: a load generator of its own") and why this one.
 */
const CHAT_PACE = options.chatPace;
const CHAT_PRIORITY = ((): string => {
  const asked = options.chatPriority;
  if (!asked.startsWith('fifo:') || (CHRT && spawnSync(CHRT, ['-f', asked.slice(5), 'true']).status === 0)) return asked;
  console.log(
    `! the chat load generator cannot run as SCHED_FIFO here (needs root or CAP_SYS_NICE): it runs at normal priority, and W4's chat figures include more of its own wake-up delay (see the direct column)`,
  );
  return 'nice:0';
})();

const processes = new BenchProcesses({
  pin: options.pin,
  profile: options.profile,
  profileLoadgen: options.profileLoadgen,
  relayBundle: options.relayBundle,
  tmp: TMP,
  outBench: OUT_BENCH,
  root: ROOT,
});
const { PIN, SUT_CPU, LOADGEN_CPU, RELAY_FLAGS } = processes;

async function runOne(system: BenchSubject, spec: Spec, tag: string, timeoutMs: number, usage: { ownCpuSeconds: number }): Promise<Record<string, unknown>> {
  if (spec.w === 'cluster') {
    // NATS, the relays and every client are this run's own work (clients live in this process).
    const cpu0 = selfAndEndedChildrenCpuSeconds();
    try {
      return await within(
        runCluster(spec, path.join(OUT_BENCH, 'relayCli.js'), (line) => process.stdout.write(`\n  ${line}`)),
        timeoutMs,
        'W10 cluster',
      );
    } finally {
      usage.ownCpuSeconds = selfAndEndedChildrenCpuSeconds() - cpu0;
    }
  }
  if (system === 'webview' && spec.w === 'richtext') {
    const cpu0 = selfAndEndedChildrenCpuSeconds();
    try {
      return await within(runRichText(spec, ROOT), timeoutMs, 'W9 formatted messages');
    } finally {
      usage.ownCpuSeconds = selfAndEndedChildrenCpuSeconds() - cpu0;
    }
  }
  if (system === 'webview' || spec.w === 'webview') {
    if (spec.w !== 'webview') throw new Error(`the webview runs only W8 and W9, not ${spec.w}`);
    // Chromium (and the build before it) are the bench's own work here, not the machine's.
    const cpu0 = selfAndEndedChildrenCpuSeconds();
    try {
      return await within(runWebview(spec, ROOT), timeoutMs, 'W8 webview');
    } finally {
      usage.ownCpuSeconds = selfAndEndedChildrenCpuSeconds() - cpu0;
    }
  }
  if (spec.w === 'search') {
    const ctx = { processes, cacheDir: path.join(TMP, 'cache'), runDir: path.join(TMP, 'search'), tag, loadgenCpu: LOADGEN_CPU, timeoutMs };
    // The relays and the load generator are this process's children (their CPU counts once they
    // ended), and making the history and copying it are its own work: none of it is the machine's.
    const cpu0 = selfAndEndedChildrenCpuSeconds();
    try {
      return await runSearch(spec, { ...ctx, log: (line) => process.stdout.write(`\n  ${line}`) });
    } finally {
      usage.ownCpuSeconds = selfAndEndedChildrenCpuSeconds() - cpu0;
    }
  }
  const chatSpec = spec.w === 'file' && spec.chat ? spec.chat : undefined;
  let timer: NodeJS.Timeout | undefined;
  let lg: ChildProcess | undefined;
  let chatLg: ChildProcess | undefined;
  let sut: Sut | undefined;
  // A run that never answers says, before its processes are stopped, what each was doing; its
  // threads go to bench/tmp/stuck/.
  const stuck = () => {
    const described = Object.entries({ 'load generator': lg?.pid, 'chat load generator': chatLg?.pid, system: sut?.pid }).flatMap(([role, pid]) => {
      if (!pid) return [];
      const state = describeProcess(pid);
      dumpThreads(pid, path.join(TMP, 'stuck', `${tag}-${role.replace(/ /g, '-')}.txt`));
      return [`${role}: ${state}`];
    });
    return `no result within ${timeoutMs / 1000} s (${described.join('; ')}; threads in bench/tmp/stuck/)`;
  };
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(stuck())), timeoutMs)));
  timeout.catch(() => undefined); // it is raced below; no unhandled rejection while a process starts
  try {
    const main = await processes.forkLoadgen(tag, LOADGEN_CPU);
    lg = main.lg;
    const chat = chatSpec ? await processes.forkLoadgen(`${tag}-chat`, LOADGEN_CPU, CHAT_PRIORITY) : undefined;
    chatLg = chat?.lg;
    const hubPorts = [main.hubPort, ...(chat ? [chat.hubPort] : [])];
    if (system === 'relay' || system === 'aedes') sut = await processes.startNodeSut(system, [], tag);
    else if (system === 'pipe') sut = await processes.startNodeSut('pipe', hubPorts.map(String), tag);
    else if (system === 'mosquitto') sut = await processes.startMosquitto(findMosquitto()!, tag);
    else if (system === 'nats') sut = await processes.startNatsServer(findNatsServer()!, tag);
    // Where each load generator's clients connect: the system, or for 'direct' that process's own hub.
    const portFor = (i: number) => (system === 'direct' ? hubPorts[i] : (sut!.ports[i] ?? sut!.port));
    const pid = sut?.pid ?? 0;
    const gcThenAnswer = () => void (sut ? sut.gc() : Promise.resolve()).then(() => lg!.send({ t: 'gc-done' }));
    if (!chat || !chatSpec) {
      return await Promise.race([timeout, request(lg, { t: 'run', spec, system, port: portFor(0), pid }, (m) => m.t === 'gc' && gcThenAnswer())]);
    }
    // W4 "+ chat": the chat load generator starts first and runs alone for a second; then the
    // file's; the chat-* messages between them go through here.
    let ready!: () => void;
    const chatReady = new Promise<void>((resolve) => (ready = resolve));
    const chatRun = request(
      chat.lg,
      { t: 'run', spec: { w: 'chat', ...chatSpec, warmMs: 1000, nap: CHAT_PACE === 'nap' }, system, port: portFor(1), pid },
      (m) => {
        if (m.t === 'chat-ready') ready();
        else if (m.t.startsWith('chat-')) lg!.send(m);
      },
    );
    await Promise.race([timeout, chatRun, chatReady]);
    const fileRun = request(lg, { t: 'run', spec, system, port: portFor(0), pid }, (m) => {
      if (m.t === 'gc') gcThenAnswer();
      else if (m.t.startsWith('chat-')) chat.lg.send(m);
    });
    const [fileMetrics, chatMetrics] = await Promise.race([timeout, Promise.all([fileRun, chatRun])]);
    return { ...fileMetrics, chat: { ...chatMetrics, placement: { cpu: PIN ? Number(LOADGEN_CPU) : null, ...schedulingOf(chat.lg.pid!), pace: CHAT_PACE } } };
  } finally {
    clearTimeout(timer);
    usage.ownCpuSeconds = [lg, chatLg].reduce((n, p) => n + (p?.pid ? cpuSeconds(p.pid) || 0 : 0), 0) + (sut ? cpuSeconds(sut.pid) || 0 : 0);
    for (const p of [lg, chatLg]) if (p) await stopChild(p, () => p.send({ t: 'exit' }));
    await sut?.stop();
  }
}

/** The machine and the bench's setup, for the report. */
function machine(mosquitto: string | undefined): Record<string, unknown> {
  return describeMachine(
    ROOT,
    mosquitto,
    {
      pinning: PIN ? `system under test on CPU ${SUT_CPU}, load generator on CPU ${LOADGEN_CPU} (taskset)` : 'none',
      relayFlags: RELAY_FLAGS.length ? `${RELAY_FLAGS.join(' ')} (what the relay command starts with on one CPU)` : 'none',
      chatLoadgen: `W4 chat: a second load generator${PIN ? ` on CPU ${LOADGEN_CPU}` : ''}, ${CHAT_PRIORITY.startsWith('fifo:') ? `SCHED_FIFO ${CHAT_PRIORITY.slice(5)}` : CHAT_PRIORITY === 'nice:0' ? 'normal priority' : CHAT_PRIORITY.replace(':', ' ')}, ${CHAT_PACE === 'nap' ? 'sleeping until its next send' : 'spinning'}`,
    },
    findNatsServer(),
  );
}

/** `--render`: writes RESULTS.md again from the results.json already in the output folder. */
function renderOnly(): void {
  const final = JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8')) as Results;
  writeReport(final);
}

function writeReport(final: Results): void {
  const before = path.join(BENCH, 'results-before.json');
  const notes = path.join(BENCH, 'NOTES.md');
  fs.writeFileSync(
    path.join(outDir, 'RESULTS.md'),
    renderReport(
      final,
      fs.existsSync(before) ? (JSON.parse(fs.readFileSync(before, 'utf8')) as Results) : undefined,
      fs.existsSync(notes) ? fs.readFileSync(notes, 'utf8') : undefined,
    ),
  );
}

async function main(): Promise<void> {
  if (options.render) return renderOnly();
  const started = Date.now();
  fs.mkdirSync(TMP, { recursive: true });
  fs.rmSync(path.join(TMP, 'logs'), { recursive: true, force: true });
  const mosquitto = findMosquitto();
  const missing: Record<string, string> = {};
  if (!mosquitto) missing.mosquitto = 'the mosquitto binary was not found (Debian: apt-get install mosquitto); its runs are skipped';
  if (!findNatsServer()) missing.nats = 'the nats-server binary was not found (Debian: apt-get install nats-server); its runs are skipped';
  if (!hasAedes(ROOT)) missing.aedes = 'the aedes package is not installed (npm install); its runs are skipped';
  if (!fs.existsSync(CHROMIUM)) missing.webview = `${CHROMIUM} not found (Debian: apt-get install chromium, or set CHAT_WEBVIEW_CHROMIUM); W8 is skipped`;
  for (const [name, why] of Object.entries(missing)) console.log(`! ${name}: ${why}`);
  const runs: RunRecord[] = [];
  const results = (): Results => ({
    date: new Date(started).toISOString(),
    machine: machine(mosquitto),
    missing,
    totalSeconds: (Date.now() - started) / 1000,
    runs,
  });
  for (const item of plan(options)) {
    if (options.only && !options.only.includes(item.workload)) continue;
    if (options.label !== undefined && !item.label.includes(options.label)) continue;
    // --systems picks among the systems under test; the webview is not one.
    const systems = item.systems.filter((system) => !(system !== 'webview' && options.systems && !options.systems.includes(system)) && !missing[system]);
    const rounds = item.rounds ?? 1;
    const done = new Map<BenchSubject, { spec: Spec; rounds: RoundRecord[] }>();
    // Round by round, every system once per round: a slow patch of the machine then lands on
    // one round of each system rather than on all rounds of one.
    for (let round = 0; round < rounds; round++) {
      for (const system of systems) {
        const spec = done.get(system)?.spec ?? (typeof item.spec === 'function' ? item.spec(runs) : item.spec);
        const tag = `${item.workload}-${item.label.replace(/[^A-Za-z0-9]+/g, '_')}-${system}${rounds > 1 ? `-r${round + 1}` : ''}`;
        const roundLabel = rounds > 1 ? ` [${round + 1}/${rounds}]` : '';
        process.stdout.write(`${item.workload} ${(item.label + roundLabel).padEnd(36)} ${system.padEnd(10)} `);
        const result = await runRound(system, spec, tag, item.timeoutMs);
        console.log(result.error ? `ERROR ${result.error}` : `${headline(spec, result.metrics!)}  (${result.wallSeconds.toFixed(1)} s)`);
        if (!done.has(system)) done.set(system, { spec, rounds: [] });
        done.get(system)!.rounds.push(result);
      }
    }
    for (const system of systems) {
      const { spec, rounds: results } = done.get(system)!;
      runs.push(recordOf(item, system, spec, results));
      if (rounds > 1)
        console.log(
          `${item.workload} ${(item.label + ' median').padEnd(36)} ${system.padEnd(10)} ${runs.at(-1)!.metrics ? headline(spec, runs.at(-1)!.metrics!) : 'ERROR in every round'}`,
        );
    }
  }
  const final = results();
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(final, null, 2) + '\n');
  writeReport(final);
  console.log(`\nwrote ${path.relative(ROOT, path.join(outDir, 'results.json'))} and RESULTS.md in ${final.totalSeconds.toFixed(0)} s`);
}

/** One run of one system on one case, with the machine's background load during it. */
async function runRound(system: BenchSubject, spec: Spec, tag: string, timeoutMs: number): Promise<RoundRecord> {
  await waitForQuiet();
  const t0 = Date.now();
  const busy0 = machineBusySeconds();
  const usage = { ownCpuSeconds: 0 };
  const round: RoundRecord = { wallSeconds: 0 };
  try {
    round.metrics = await runOne(system, spec, tag, timeoutMs, usage);
  } catch (err) {
    round.error = (err as Error).message.split('\n').slice(0, 3).join(' | ');
  }
  round.wallSeconds = (Date.now() - t0) / 1000;
  round.backgroundCores = Math.max(0, (machineBusySeconds() - busy0 - usage.ownCpuSeconds) / round.wallSeconds);
  return round;
}

/** A case's record: its one run, or the median of its rounds that finished (lib/rounds.ts). */
function recordOf(item: Planned, system: BenchSubject, spec: Spec, rounds: RoundRecord[]): RunRecord {
  const record: RunRecord = { workload: item.workload, label: item.label, system, spec, wallSeconds: rounds.reduce((a, r) => a + r.wallSeconds, 0) };
  if (rounds.length === 1) return { ...record, ...rounds[0] };
  const finished = rounds.filter((r) => r.metrics).map((r) => r.metrics!);
  if (finished.length > 0) record.metrics = medianOfRounds(finished);
  const errors = rounds.filter((r) => r.error);
  if (errors.length === rounds.length) record.error = errors[0].error;
  record.backgroundCores = median(rounds.map((r) => r.backgroundCores ?? NaN));
  record.rounds = rounds;
  return record;
}

/** What the host took, when it took anything (lib/machine.ts, hostStolenSeconds). */
function stolen(cores: number | undefined): string {
  return cores === undefined || !(cores >= 0.005) ? '' : `, host took ${cores.toFixed(2)} cores`;
}

function headline(spec: Spec, metrics: Record<string, unknown>): string {
  const m = metrics as Record<string, number & Record<string, number>>;
  const f = (n: number) => (n == null || Number.isNaN(n) ? 'n/a' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  // Milliseconds as measured (3 decimals at most: a median of two rounds can be 1.7469999…).
  const t = (n: number) => (typeof n === 'number' ? String(Math.round(n * 1000) / 1000) : 'n/a');
  switch (spec.w) {
    case 'throughput':
      return `${f(m.deliveredPerSec)} msgs/s, ${f(m.sutCpuSecondsPerMillion)} CPU s/M, loadgen ${f(m.loadgenCpuUtil * 100)}%${stolen(m.hostStolenCores)}`;
    case 'latency':
      return `p50 ${t(m.p50Ms)} p99 ${t(m.p99Ms)} p99.9 ${t(m.p999Ms)} ms, lost ${m.lost}, system CPU ${f(m.sutCpuUtil)}${stolen(m.hostStolenCores)}`;
    case 'fanout':
      return `${f(m.deliveriesPerSec)} deliveries/s, p99 ${t(m.latencyAt.p99Ms)} ms`;
    case 'file':
      return `${f(m.mbPerSec)} MB/s, peak RSS ${f(m.sutPeakRssBytes / 1e6)} MB${m.chat ? `, chat p50 ${t(m.chat.p50Ms)} p99 ${t(m.chat.p99Ms)} ms, lost ${m.chat.lost}, chat loadgen ${f(m.chat.loadgenCpuUtil)} cores` : ''}`;
    case 'chat': // only ever part of a 'file' run
      return '';
    case 'scale':
      return `${m.connected} connected, ${f(m.bytesPerConnection)} B/conn, connect p99 ${t(m.connect.p99Ms)} ms, broadcast ${JSON.stringify(m.broadcast)}`;
    case 'slow':
      return `p99 ${t(m.baseline.p99Ms)} → ${t(m.duringSlow.p99Ms)} ms, peak RSS ${f(m.sutPeakRssDuringSlowBytes / 1e6)} MB, slow closed ${m.slowReceiverClosedAfterSec}`;
    case 'search':
      return `p50 ${t(m.p50Ms)} p99 ${t(m.p99Ms)} max ${t(m.maxMs)} ms over ${m.count} queries (first ${t(m.firstQueryMs)} ms), ${m.leaks} leaks, ${m.mismatched} mismatched, ${m.refused.length} refused; memory +${f(m.memory.growthBytes / 1e6)} MB for a ${f(m.memory.logBytes / 1e6)} MB log (${f(m.memory.growthPerLogByte)}×), loaded in ${f(m.loadSeconds)} s`;
    case 'webview':
      return `first screen ${t(m.firstScreenMs)} ms (again: ${t(m.reopenMedianMs)} ms), ${m.pagesServed} pages back: at most ${m.maxMessageElements} message elements, scroll step p99 ${t(m.scrollStepMs.p99)} ms`;
    case 'richtext':
      return `bundle ${f(m.bundleMinifiedBytes / 1e6)} MB minified (${f(m.bundleBytes / 1e6)} MB as built), panel open ${t(m.panelOpenMs)} ms (code coloured ${t(m.panelColouredMs)} ms), hostile markdown at most ${t(m.hostileMaxMs)} ms a message, ${m.typescriptBlockChars}-char TypeScript block ${t(m.typescriptBlockMs)} ms`;
    case 'search-queries': // only ever part of a 'search' run
      return '';
    case 'cluster':
      return `vs one relay: R1 ${JSON.stringify(m.ratios['cluster R1'])}, R3 ${JSON.stringify(m.ratios['cluster R3'])}`;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
