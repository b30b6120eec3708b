/**
 * Experiments only: times builds of sendPathCost.ts side by side in one process, batch after
 * batch in turn, so that a machine whose speed drifts from second to second (a shared virtual
 * machine) moves them all alike. Each argument is `label=path/to/out-bench/sendPathCost.js`; the
 * first is the reference. An older commit gets sendPathCost.ts copied into its worktree and
 * bundled there (bench/NOTES.md has the recipe).
 *
 *   node out-bench/sendPathAB.js before=../old/out-bench/sendPathCost.js after=out-bench/sendPathCost.js
 */
import * as path from 'node:path';
import { median } from './lib/rounds';
import type { SendPathCost } from './sendPathCost';

const BATCH = Number(process.env.BATCH ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 40);
/** Rounds left out while the compiler settles. */
const WARM = 5;

/** The median, NaN for none (a figure printed, never compared). */
const mid = (values: number[]) => median(values) ?? NaN;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const builds = (args.length ? args : [`this=${path.join(__dirname, 'sendPathCost.js')}`]).map((arg) => {
    const at = arg.indexOf('=');
    return { label: arg.slice(0, at), file: path.resolve(arg.slice(at + 1)) };
  });
  const costs: SendPathCost[] = [];
  for (const build of builds) costs.push(await ((await import(build.file)) as { setup(): Promise<SendPathCost> }).setup());
  const times: number[][] = builds.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Each build goes first as often as last.
    const order = round % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
    for (const i of order) times[i].push(costs[i].batch(BATCH));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const settled = times.map((t) => t.slice(WARM));
  for (const [i, build] of builds.entries()) console.log(`${build.label}: median ${mid(settled[i]).toFixed(0)} ns of CPU per message`);
  for (let i = 1; i < builds.length; i++) {
    const ratios = settled[i].map((t, round) => t / settled[0][round]);
    console.log(`${builds[i].label} / ${builds[0].label}: median of ${ratios.length} paired rounds ${mid(ratios).toFixed(3)}`);
  }
  for (const cost of costs) await cost.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
