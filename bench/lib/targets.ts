/**
 * The targets as rules. Each rule is put to the relay and, the same way, to every other
 * system measured in the same case: a target that the plain `pipe()` relay (a process that only
 * copies bytes) or the direct connection also misses in the same run is below what this machine
 * gives any relay, and the report says so beside the relay's own verdict.
 */

type Metrics = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the rules read of a run: results.json's run records (bench/main.ts) satisfy it. */
export interface TargetRun {
  workload: string;
  label: string;
  system: string;
  spec?: { w?: string; rate?: number };
  metrics?: Metrics;
  error?: string;
  /** Each round's own figures, when the case ran in rounds (`metrics` is their median). */
  rounds?: { metrics?: Metrics }[];
}

export interface TargetVerdict {
  name: string;
  /** The relay's figure. */
  measured: string;
  /** What the relay's figure is held against. */
  against: string;
  /** undefined when the relay or a reference system was not measured. */
  met: boolean | undefined;
  /** The same rule put to each other system of the case, e.g. "pipe 0.063 ms missed". */
  others: string[];
}

interface Rule {
  name: string;
  workload: string;
  label: string;
  figure: (m: Metrics) => unknown;
  show: (v: number, run: TargetRun) => string;
  /** What the relay's figure is held against, in words (reference figures and ratios included). */
  against: (relay: number | undefined) => string;
  /** undefined when a reference figure is missing. */
  meets: ((v: number) => boolean) | undefined;
  /** Systems the rule measures against: they are not listed among the others. */
  references: string[];
  /** Whose figure the rule judges: the relay's, or (W8) the webview's. */
  subject?: string;
  /** Judge the worst round's figure, not the median: a rule that one bad round breaks. */
  worstRound?: boolean;
}

/** The systems besides the relay, in the order the report lists them, with the names it gives them. */
const SYSTEM_NAMES: Record<string, string> = { direct: 'direct', pipe: 'pipe', mosquitto: 'Mosquitto', aedes: 'Aedes', nats: 'NATS' };

/** Figures as the report prints them: whole counts with separators, milliseconds with three decimals below 1 ms and two below 100, ratios as "1.64×". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
export function millis(n: number): string {
  return n < 1 ? n.toFixed(3) : n < 100 ? n.toFixed(2) : count(n);
}
export function times(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b !== 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–';
}
const megabytes = (n: number) => (n / 1e6).toFixed(1);
const orDash = (v: number | undefined, f: (n: number) => string) => (v === undefined ? '–' : f(v));

/** The run of `system` in one case (workload and label), if it ran. */
export function findRun<R extends TargetRun>(runs: readonly R[], workload: string, label: string, system: string): R | undefined {
  return runs.find((x) => x.workload === workload && x.label === label && x.system === system);
}

/** The cases of a workload, in the order they ran. */
export function labelsOf(runs: readonly TargetRun[], workload: string): string[] {
  return [...new Set(runs.filter((x) => x.workload === workload).map((x) => x.label))];
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Every target of the issue over `runs`, in the report's order. `queueCapBytes` is the relay's
 * per-connection queue cap, which bounds the slow-consumer target.
 */
export function targetVerdicts(runs: readonly TargetRun[], queueCapBytes: number): TargetVerdict[] {
  const find = (workload: string, label: string, system: string) => findRun(runs, workload, label, system);
  const figure = (workload: string, label: string, system: string, get: (m: Metrics) => unknown) => {
    const run = find(workload, label, system);
    return run?.metrics && !run.error ? finite(get(run.metrics)) : undefined;
  };
  const labels = (workload: string) => labelsOf(runs, workload);

  const rules: Rule[] = [];
  for (const label of labels('w1')) {
    const mosquitto = figure('w1', label, 'mosquitto', (m) => m.deliveredPerSec);
    rules.push({
      name: `Direct messages, ${label}: relay ≥ Mosquitto`,
      workload: 'w1',
      label,
      figure: (m) => m.deliveredPerSec,
      show: (v) => `${count(v)} msgs/s`,
      against: (relay) => `Mosquitto ${orDash(mosquitto, count)} msgs/s (${times(relay, mosquitto)})`,
      meets: mosquitto === undefined ? undefined : (v) => v >= mosquitto,
      references: ['mosquitto'],
    });
  }
  if (labels('w3').includes('1 → 100')) {
    rules.push({
      name: 'Fan-out to 100 receivers ≥ 1,000,000 deliveries/s',
      workload: 'w3',
      label: '1 → 100',
      figure: (m) => m.deliveriesPerSec,
      show: (v) => `${count(v)} deliveries/s`,
      against: () => '1,000,000',
      meets: (v) => v >= 1e6,
      references: [],
    });
  }
  for (const label of labels('w2').filter((l) => l !== 'half of relay peak')) {
    const direct = figure('w2', label, 'direct', (m) => m.p50Ms);
    rules.push({
      name: `Latency p50 at ${label}: relay ≤ 2.5× direct`,
      workload: 'w2',
      label,
      figure: (m) => m.p50Ms,
      show: (v) => `${millis(v)} ms`,
      against: (relay) => `direct ${orDash(direct, millis)} ms (${times(relay, direct)})`,
      meets: direct === undefined ? undefined : (v) => v <= 2.5 * direct,
      references: ['direct'],
    });
  }
  if (labels('w2').includes('half of relay peak')) {
    rules.push({
      name: 'Latency p99 at half of peak load ≤ 1 ms',
      workload: 'w2',
      label: 'half of relay peak',
      figure: (m) => m.p99Ms,
      show: (v, run) => (run.system === 'relay' && run.spec?.rate !== undefined ? `${millis(v)} ms at ${count(run.spec.rate)} msgs/s` : `${millis(v)} ms`),
      against: () => '1 ms',
      meets: (v) => v <= 1,
      references: [],
    });
  }
  for (const label of labels('w4').filter((l) => !l.includes('chat'))) {
    const direct = figure('w4', label, 'direct', (m) => m.mbPerSec);
    const pipe = figure('w4', label, 'pipe', (m) => m.mbPerSec);
    rules.push({
      name: `File relay, ${label}: ≥ 0.5× direct and > pipe()`,
      workload: 'w4',
      label,
      figure: (m) => m.mbPerSec,
      show: (v) => `${count(v)} MB/s`,
      against: (relay) => `direct ${orDash(direct, count)} (${times(relay, direct)}), pipe ${orDash(pipe, count)} (${times(relay, pipe)})`,
      meets: direct === undefined || pipe === undefined ? undefined : (v) => v >= 0.5 * direct && v > pipe,
      references: ['direct', 'pipe'],
    });
  }
  for (const label of labels('w4').filter((l) => l.includes('chat'))) {
    rules.push({
      name: `Chat p99 during the 1 GiB transfer (${label.split(' +')[0]}) ≤ 5 ms`,
      workload: 'w4',
      label,
      figure: (m) => m.chat?.p99Ms,
      show: (v) => `${millis(v)} ms`,
      against: () => '5 ms',
      meets: (v) => v <= 5,
      references: [],
    });
  }
  for (const label of labels('w5')) {
    rules.push({
      name: '≤ 10 KB relay memory per idle connection',
      workload: 'w5',
      label,
      figure: (m) => m.bytesPerConnection,
      show: (v) => `${count(v)} B`,
      against: () => '10,000 B',
      meets: (v) => v <= 10_000,
      references: [],
    });
    rules.push({
      name: '10,000 connections held',
      workload: 'w5',
      label,
      figure: (m) => m.connected,
      show: (v, run) => `${count(v)} of ${orDash(finite(run.metrics?.clients), count)}`,
      against: () => '10,000',
      meets: (v) => v >= 10_000,
      references: [],
    });
  }
  for (const label of labels('w6')) {
    const bound = 4 * queueCapBytes;
    rules.push({
      name: `Slow consumer: relay memory bounded (growth ≤ ${megabytes(bound)} MB, 4× the ${queueCapBytes / 1024 / 1024} MiB queue cap)`,
      workload: 'w6',
      label,
      figure: (m) => m.sutPeakRssDuringSlowBytes - m.sutRssAtSlowStartBytes,
      show: (v) => `${megabytes(v)} MB`,
      against: () => `${megabytes(bound)} MB`,
      meets: (v) => v <= bound,
      references: [],
    });
    // "Does not move": within half again its own baseline, or a millisecond, whichever is more.
    rules.push({
      name: "Slow consumer: other pairs' p99 does not move (≤ 1.5× baseline or ≤ +1 ms)",
      workload: 'w6',
      label,
      figure: (m) => {
        const base = finite(m.baseline?.p99Ms);
        const during = finite(m.duringSlow?.p99Ms);
        return base === undefined || during === undefined ? undefined : during - Math.max(1.5 * base, base + 1);
      },
      show: (_excess, run) => `${orDash(finite(run.metrics?.baseline?.p99Ms), millis)} → ${orDash(finite(run.metrics?.duringSlow?.p99Ms), millis)} ms`,
      against: () => 'baseline',
      meets: (excess) => excess <= 0,
      references: [],
    });
  }

  for (const label of labels('w7')) {
    const messages = label.replace(/^search /, '');
    rules.push({
      name: `Search over ${messages}: p50 ≤ 50 ms`,
      workload: 'w7',
      label,
      figure: (m) => m.p50Ms,
      show: (v) => `${millis(v)} ms`,
      against: (relay) => `50 ms (${times(relay, 50)})`,
      meets: (v) => v <= 50,
      references: [],
    });
    rules.push({
      name: `Search over ${messages}: p99 ≤ 200 ms`,
      workload: 'w7',
      label,
      figure: (m) => m.p99Ms,
      show: (v) => `${millis(v)} ms`,
      against: (relay) => `200 ms (${times(relay, 200)})`,
      meets: (v) => v <= 200,
      references: [],
    });
    rules.push({
      name: `Search: no hit from a conversation the searcher may not read`,
      workload: 'w7',
      label,
      figure: (m) => m.leaks,
      show: (v, run) => `${count(v)} such hits in ${orDash(finite(run.metrics?.count), count)} queries${run.rounds ? ', worst round' : ''}`,
      against: () => '0',
      meets: (v) => v === 0,
      references: [],
      worstRound: true,
    });
    rules.push({
      name: `Relay memory for ${messages} ≤ 1.5× their log on disk`,
      workload: 'w7',
      label,
      figure: (m) => m.memory?.growthPerLogByte,
      show: (v, run) =>
        `${orDash(finite(run.metrics?.memory?.growthBytes), megabytes)} MB for a ${orDash(finite(run.metrics?.memory?.logBytes), megabytes)} MB log (${v.toFixed(2)}×)`,
      against: () => '1.5×',
      meets: (v) => v <= 1.5,
      references: [],
    });
  }
  for (const label of labels('w8')) {
    rules.push({
      name: `Webview, ${label.replace(/^webview /, '')}: first screen ≤ 200 ms`,
      workload: 'w8',
      label,
      figure: (m) => m.firstScreenMs,
      show: (v) => `${millis(v)} ms`,
      against: (webview) => `200 ms (${times(webview, 200)})`,
      meets: (v) => v <= 200,
      references: [],
      subject: 'webview',
    });
    rules.push({
      name: `Webview: < 500 message elements in the DOM while scrolling back 20 pages`,
      workload: 'w8',
      label,
      figure: (m) => (m.pagesServed >= 20 ? m.maxMessageElements : undefined),
      show: (v) => `at most ${count(v)}`,
      against: (webview) => `500 (${times(webview, 500)})`,
      meets: (v) => v < 500,
      references: [],
      subject: 'webview',
    });
  }

  for (const label of labels('w9')) {
    const webview = (name: string, figure: (m: Metrics) => unknown, show: (v: number) => string, limit: string, meets: (v: number) => boolean) =>
      rules.push({ name, workload: 'w9', label, figure, show, against: () => limit, meets, references: [], subject: 'webview' });
    webview(
      'Webview bundle with the highlighter ≤ 1.5 MB (minified)',
      (m) => m.bundleMinifiedBytes,
      (v) => `${(v / 1e6).toFixed(2)} MB`,
      '1.5 MB',
      (v) => v <= 1.5e6,
    );
    webview(
      'Chat panel open, formatted messages ≤ 300 ms',
      (m) => m.panelOpenMs,
      (v) => `${millis(v)} ms`,
      '300 ms',
      (v) => v <= 300,
    );
    webview(
      'Hostile markdown ≤ 50 ms a message',
      (m) => m.hostileMaxMs,
      (v) => `${millis(v)} ms`,
      '50 ms',
      (v) => v <= 50,
    );
  }

  return rules.map((rule) => {
    const verdictOf = (system: string): { shown: string; met: boolean | undefined } | undefined => {
      const run = find(rule.workload, rule.label, system);
      if (!run) return undefined;
      const perRound = rule.worstRound && run.rounds ? run.rounds.map((r) => (r.metrics ? finite(rule.figure(r.metrics)) : undefined)) : undefined;
      const worst = perRound?.every((x) => x !== undefined) ? Math.max(...(perRound as number[])) : undefined;
      const v = run.metrics && !run.error ? (perRound ? worst : finite(rule.figure(run.metrics))) : undefined;
      if (v === undefined) return { shown: run.error ? 'error' : '–', met: undefined };
      return { shown: rule.show(v, run), met: rule.meets?.(v) };
    };
    const subject = rule.subject ?? 'relay';
    const relay = verdictOf(subject);
    const others = Object.keys(SYSTEM_NAMES)
      .filter((s) => !rule.references.includes(s))
      .map((s) => ({ s, verdict: verdictOf(s) }))
      .filter((x) => x.verdict !== undefined)
      .map(({ s, verdict }) => `${SYSTEM_NAMES[s]} ${verdict!.shown} ${verdict!.met === undefined ? '' : verdict!.met ? 'met' : 'missed'}`.trim());
    return {
      name: rule.name,
      measured: relay?.shown ?? '–',
      against: rule.against(figure(rule.workload, rule.label, subject, rule.figure)),
      met: relay?.met,
      others,
    };
  });
}
