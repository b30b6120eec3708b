/** The machine: how busy it is besides the bench (read before and after each run, /proc/stat), and what it is. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TICKS_PER_SECOND } from './proc';

/** The machine's CPU time so far, all CPUs together, in /proc/stat's order (user, nice, system,
 *  idle, iowait, irq, softirq, steal, …) and in seconds. */
function machineCpuSeconds(): number[] {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  return line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((ticks) => Number(ticks) / TICKS_PER_SECOND);
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const v = machineCpuSeconds();
  const total = v.reduce((a, b) => a + b, 0);
  // Idle, waiting for disk, and steal: the host's use of the CPUs is reported apart (hostStolenSeconds).
  return total - v[3] - (v[4] ?? 0) - (v[7] ?? 0);
}

/**
 * CPU seconds the hypervisor gave to others while this machine's CPUs had work ("steal" in
 * /proc/stat, all CPUs together). A virtual machine held to a CPU quota loses its CPUs in slices of
 * ~100 ms when it uses more than the quota: invisible to the machine's own scheduler, and far
 * longer than any relay's turn, so a latency tail measured meanwhile is the host's.
 */
export function hostStolenSeconds(): number {
  try {
    return machineCpuSeconds()[7] ?? 0;
  } catch {
    return NaN;
  }
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

/** What the report says of the machine: hardware, versions, the commit, and the bench's setup. */
export function describeMachine(
  root: string,
  mosquitto: string | undefined,
  setup: { pinning: string; relayFlags: string; chatLoadgen: string },
  natsServer?: string,
): Record<string, unknown> {
  const cpus = os.cpus();
  const version = (pkg: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;
    } catch {
      return undefined;
    }
  };
  let mosquittoVersion: string | undefined;
  if (mosquitto) {
    try {
      execFileSync(mosquitto, ['-h'], { encoding: 'utf8' });
    } catch (err) {
      mosquittoVersion = /mosquitto version ([\w.]+)/.exec(String((err as { stdout?: string }).stdout ?? ''))?.[1];
    }
  }
  let natsServerVersion: string | undefined;
  try {
    // "nats-server: v2.9.10"
    if (natsServer) natsServerVersion = /v[\w.]+/.exec(execFileSync(natsServer, ['--version'], { encoding: 'utf8' }))?.[0];
  } catch {
    natsServerVersion = undefined;
  }
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src/server', 'src/net'], { cwd: root, encoding: 'utf8' }).trim();
    if (dirty) commit += ' + uncommitted changes in src/server, src/net';
  } catch {
    commit = undefined;
  }
  return {
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    mosquitto: mosquittoVersion ?? (mosquitto ? 'unknown version' : undefined),
    mqttClient: version('mqtt'),
    aedes: version('aedes'),
    natsServer: natsServerVersion ?? (natsServer ? 'unknown version' : undefined),
    natsClient: version('@nats-io/transport-node'),
    hdrHistogram: version('hdr-histogram-js'),
    commit,
    ...setup,
    fdLimit: (() => {
      try {
        return execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
      } catch {
        return undefined;
      }
    })(),
  };
}
