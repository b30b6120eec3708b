import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What /proc says about another process: CPU seconds used and memory. Linux only. */
export const TICKS_PER_SECOND = 100; // getconf CLK_TCK

export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** This process's CPU seconds with those of its children that ended (a browser it started and
 *  closed, and that browser's own processes, once each was waited for). */
export function selfAndEndedChildrenCpuSeconds(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: fields 14–17, i.e. 11–14 after the state.
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
}

/** One thread's (or a process's main thread's) name, scheduling state and kernel wait, from /proc. */
function taskState(dir: string): { name: string; state: string; waiting: string } {
  const stat = fs.readFileSync(`${dir}/stat`, 'utf8');
  const wchan = fs.readFileSync(`${dir}/wchan`, 'utf8').trim();
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    state: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0],
    waiting: wchan && wchan !== '0' ? `, waiting in ${wchan}` : '',
  };
}

/**
 * A process's scheduling state, CPU time so far and where in the kernel it waits, for a run that
 * never answered: spinning (R, its CPU time growing as fast as the clock) reads differently from
 * waiting on its event loop (S in ep_poll) or stuck in a system call (S or D elsewhere).
 */
export function describeProcess(pid: number): string {
  try {
    const { state, waiting } = taskState(`/proc/${pid}`);
    return `state ${state}, ${cpuSeconds(pid).toFixed(1)} CPU s${waiting}`;
  } catch {
    return 'gone';
  }
}

/**
 * Writes every thread's state and kernel wait to `file`, and their native stacks when gdb is on
 * the machine: which thread a stuck process waits for, and in what.
 */
export function dumpThreads(pid: number, file: string): void {
  const lines: string[] = [];
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const { name, state, waiting } = taskState(`/proc/${pid}/task/${tid}`);
      lines.push(`thread ${tid} ${name}: state ${state}${waiting}`);
    }
  } catch {
    lines.push('gone');
  }
  const gdb = spawnSync('gdb', ['-p', String(pid), '-batch', '-ex', 'thread apply all bt'], { encoding: 'utf8', timeout: 30_000 });
  if (!gdb.error) lines.push('', gdb.stdout, gdb.stderr);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n'));
}

function statusField(pid: number, field: string): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export const rssBytes = (pid: number) => statusField(pid, 'VmRSS');
export const peakRssBytes = (pid: number) => statusField(pid, 'VmHWM');

/** Samples a process's RSS every `everyMs` and keeps the peak (and the series, coarsely). */
export class RssSampler {
  peak = 0;
  readonly series: [number, number][] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly t0 = performance.now();

  constructor(
    private readonly pid: number,
    everyMs = 100,
  ) {
    if (!pid) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): number {
    const rss = rssBytes(this.pid);
    if (rss > this.peak) this.peak = rss;
    this.series.push([Math.round(performance.now() - this.t0), rss]);
    return rss;
  }

  /** Peak since `fromMs` (ms after the sampler started). */
  peakSince(fromMs: number): number {
    let peak = 0;
    for (const [t, v] of this.series) if (t >= fromMs && v > peak) peak = v;
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
