/**
 * Experiments only: one bench case of the relay, run again and again in pairs against another
 * build of the relay (an older commit's out-bench/sut.js), the order within a pair alternating.
 * On a machine whose host takes CPU now and then, the two builds meet the same conditions; each
 * run records what the host took, and the fit below takes it out of the comparison.
 *
 *   node out-bench/pairedRuns.js --before=../old/out-bench/sut.js --only=w2 --label=50k --pairs=10
 *   node out-bench/pairedRuns.js --out=DIR        (read the runs of an earlier call again)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './lib/rounds';

interface Run {
  pair: number;
  build: 'before' | 'now';
  value: number;
  stolen: number;
  sutCpu: number;
}

const BUILDS = ['before', 'now'] as const;

/** The median, NaN for none (a figure printed, never compared). */
const mid = (values: number[]) => median(values) ?? NaN;

/** Least squares of y on the columns of x (with an intercept in x), and each coefficient's standard error. */
function fit(x: number[][], y: number[]): { coef: number[]; se: number[] } {
  const k = x[0].length;
  // [XᵀX | I] reduced to [I | (XᵀX)⁻¹]
  const m = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => x.reduce((s, row) => s + row[i] * row[j], 0)),
    ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)),
  ]);
  for (let i = 0; i < k; i++) {
    const pivot = m[i][i];
    for (let j = 0; j < 2 * k; j++) m[i][j] /= pivot;
    for (let r = 0; r < k; r++) {
      if (r === i) continue;
      const f = m[r][i];
      for (let j = 0; j < 2 * k; j++) m[r][j] -= f * m[i][j];
    }
  }
  const inverse = m.map((row) => row.slice(k));
  const xty = Array.from({ length: k }, (_, i) => x.reduce((s, row, n) => s + row[i] * y[n], 0));
  const coef = inverse.map((row) => row.reduce((s, v, j) => s + v * xty[j], 0));
  const residual = y.reduce((s, v, n) => s + (v - x[n].reduce((t, c, j) => t + c * coef[j], 0)) ** 2, 0);
  const variance = residual / Math.max(1, y.length - k);
  return { coef, se: inverse.map((row, i) => Math.sqrt(variance * row[i])) };
}

function runPairs(out: string, pairs: number, before: string, only: string, label: string): void {
  const main = path.join(__dirname, 'main.js');
  for (let pair = 1; pair <= pairs; pair++) {
    const order = pair % 2 ? BUILDS : ([...BUILDS].reverse() as unknown as typeof BUILDS);
    for (const build of order) {
      const dir = path.join(out, `${pair}-${build}`);
      const args = [main, `--only=${only}`, `--label=${label}`, '--systems=relay', '--rounds=1', `--out=${dir}`];
      if (build === 'before') args.push(`--relay-bundle=${path.resolve(before)}`);
      const done = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
      if (done.status !== 0) throw new Error(`pair ${pair} (${build}) failed with exit ${done.status}`);
      process.stderr.write(`pair ${pair}: ${build} done\n`);
    }
  }
}

function readRuns(out: string, metric: string): Run[] {
  const runs: Run[] = [];
  for (const name of fs.readdirSync(out)) {
    const m = /^(\d+)-(before|now)$/.exec(name);
    if (!m) continue;
    const results = JSON.parse(fs.readFileSync(path.join(out, name, 'results.json'), 'utf8')) as { runs: { metrics: Record<string, number> }[] };
    const metrics = results.runs[0].metrics;
    runs.push({ pair: Number(m[1]), build: m[2] as Run['build'], value: metrics[metric], stolen: metrics.hostStolenCores ?? 0, sutCpu: metrics.sutCpuUtil });
  }
  return runs;
}

function report(runs: Run[], metric: string): void {
  for (const build of BUILDS) {
    const mine = runs.filter((r) => r.build === build);
    console.log(
      `${build}: ${mine.length} runs, ${metric} median ${mid(mine.map((r) => r.value)).toFixed(2)}, relay CPU ${mid(mine.map((r) => r.sutCpu)).toFixed(3)} cores, host took ${mid(mine.map((r) => r.stolen)).toFixed(3)} cores`,
    );
  }
  const ratios = runs
    .filter((r) => r.build === 'now')
    .flatMap((now) => runs.filter((b) => b.build === 'before' && b.pair === now.pair).map((before) => now.value / before.value));
  console.log(`now / before, median of ${ratios.length} paired ratios: ${mid(ratios).toFixed(3)}; now lower in ${ratios.filter((r) => r < 1).length}`);
  if (runs.length < 6) return console.log('fit: needs three pairs or more');
  const { coef, se } = fit(
    runs.map((r) => [1, r.stolen, r.build === 'now' ? 1 : 0]),
    runs.map((r) => r.value),
  );
  console.log(
    `fit: ${metric} = ${coef[0].toFixed(2)} + ${coef[1].toFixed(1)} (± ${se[1].toFixed(1)}) per core the host took + ${coef[2].toFixed(2)} (± ${se[2].toFixed(2)}) for now`,
  );
}

function main(): void {
  const { values } = parseArgs({
    options: {
      before: { type: 'string' },
      only: { type: 'string', default: 'w2' },
      label: { type: 'string', default: '50k' },
      metric: { type: 'string', default: 'p99Ms' },
      pairs: { type: 'string', default: '10' },
      out: { type: 'string', default: path.join(__dirname, '..', 'bench', 'tmp', 'paired') },
    },
  });
  const out = path.resolve(values.out);
  if (values.before !== undefined) {
    fs.rmSync(out, { recursive: true, force: true });
    runPairs(out, Number(values.pairs), values.before, values.only, values.label);
  }
  report(readRuns(out, values.metric), values.metric);
}

main();
