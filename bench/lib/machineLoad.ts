/** How busy the machine is besides the bench: read before and after each run (/proc/stat). */
import * as fs from 'node:fs';

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return (total - v[3] - (v[4] ?? 0)) / 100;
}

let quietBudgetMs = 90_000;
/** Before a run: if other processes keep the machine busy, wait a little (bounded over the whole bench) for them. */
export async function waitForQuiet(): Promise<number> {
  for (;;) {
    const b0 = machineBusySeconds();
    await new Promise((r) => setTimeout(r, 500));
    const busy = (machineBusySeconds() - b0) / 0.5;
    if (busy < 0.5 || quietBudgetMs <= 0) return busy;
    quietBudgetMs -= 2000;
    await new Promise((r) => setTimeout(r, 1500));
  }
}
