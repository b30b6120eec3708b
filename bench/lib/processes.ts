/**
 * The bench's processes: the systems under test (the relay, the pipe() relay, Aedes, Mosquitto, nats-server),
 * the load generators, and where each runs (pinned CPUs, priorities), with their logs in
 * bench/tmp/logs/.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChatMessage, RunRequest } from '../loadgen';
import { relayNodeFlags } from '../../src/server/io/runtimeFlags';

export interface Sut {
  port: number;
  /** Every port it listens on (a pipe() relay for two load generators listens twice). */
  ports: number[];
  pid: number;
  gc(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProcessOptions {
  /** Pin processes to CPUs with taskset (when it exists and there are 2+ cores). */
  pin: boolean;
  profile: boolean;
  profileLoadgen: boolean;
  relayBundle?: string;
  tmp: string;
  outBench: string;
  root: string;
}

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => fs.existsSync(p));
const NICE = ['/usr/bin/nice', '/bin/nice'].find((p) => fs.existsSync(p));
export const CHRT = ['/usr/bin/chrt', '/bin/chrt'].find((p) => fs.existsSync(p));

/** Starts and stops the bench's processes, each where it belongs. */
export class BenchProcesses {
  /** The system under test gets CPU 1, the load generator CPU 0 (when pinning). */
  readonly PIN: boolean;
  readonly SUT_CPU = '1';
  readonly LOADGEN_CPU = '0';
  /** The flags the relay command would start with on the CPUs the relay is given here. */
  readonly RELAY_FLAGS: string[];

  constructor(private readonly options: ProcessOptions) {
    this.PIN = !!TASKSET && os.cpus().length >= 2 && options.pin;
    this.RELAY_FLAGS = relayNodeFlags(this.PIN ? 1 : os.availableParallelism());
  }

  logFile(name: string): number {
    fs.mkdirSync(path.join(this.options.tmp, 'logs'), { recursive: true });
    return fs.openSync(path.join(this.options.tmp, 'logs', `${name}.log`), 'a');
  }

  async startNodeSut(kind: 'relay' | 'pipe' | 'aedes', extra: string[], tag: string): Promise<Sut> {
    const { options } = this;
    const execArgv = ['--expose-gc', '--enable-source-maps'];
    // The flags the relay command starts with on the CPUs it is given (src/server/io/runtimeFlags.ts).
    if (kind === 'relay') execArgv.push(...this.RELAY_FLAGS);
    if (options.profile && kind === 'relay')
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${path.join(options.tmp, 'prof')}`, `--cpu-prof-name=${tag}.cpuprofile`);
    if (process.env.BENCH_SUT_FLAGS && kind === 'relay') execArgv.push(...process.env.BENCH_SUT_FLAGS.split(' '));
    const log = this.logFile(`sut-${tag}`);
    const bundle = kind === 'relay' && options.relayBundle ? path.resolve(options.relayBundle) : path.join(options.outBench, 'sut.js');
    const child = fork(bundle, [kind, ...extra], { ...this.pinned(this.SUT_CPU, execArgv), stdio: ['ignore', log, log, 'ipc'] });
    const ports = await new Promise<number[]>((resolve, reject) => {
      child.once('message', (m: { t: string; ports: number[] }) => resolve(m.ports));
      child.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before listening`)));
    });
    return {
      port: ports[0],
      ports,
      pid: child.pid!,
      gc: () =>
        new Promise<void>((resolve) => {
          const onMsg = (m: { t: string }) => {
            if (m.t === 'gc-done') {
              child.off('message', onMsg);
              resolve();
            }
          };
          child.on('message', onMsg);
          child.send({ t: 'gc' });
        }),
      stop: () => stopChild(child, () => child.send({ t: 'stop' })),
    };
  }

  async startMosquitto(binary: string, tag: string): Promise<Sut> {
    const port = await freePort();
    fs.mkdirSync(this.options.tmp, { recursive: true });
    const conf = path.join(this.options.tmp, `mosquitto-${port}.conf`);
    fs.writeFileSync(
      conf,
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', 'max_connections -1', 'set_tcp_nodelay true', ''].join('\n'),
    );
    const log = this.logFile(`sut-${tag}`);
    const child = this.PIN
      ? spawn(TASKSET!, ['-c', this.SUT_CPU, binary, '-c', conf], { stdio: ['ignore', log, log] })
      : spawn(binary, ['-c', conf], { stdio: ['ignore', log, log] });
    await waitConnectable(port, 5000);
    return {
      port,
      ports: [port],
      pid: child.pid!,
      gc: async () => undefined,
      stop: async () => {
        await stopChild(child, () => child.kill('SIGTERM'));
        fs.rmSync(conf, { force: true });
      },
    };
  }

  /** nats-server for core pub/sub (no JetStream, no disk), on CPU 1 like Mosquitto; logs to bench/tmp/logs/. */
  async startNatsServer(binary: string, tag: string): Promise<Sut> {
    const port = await freePort();
    const args = ['-a', '127.0.0.1', '-p', String(port)];
    const log = this.logFile(`sut-${tag}`);
    // Under taskset Go sees one CPU and sets GOMAXPROCS=1: the same one core every system gets.
    const child = this.PIN
      ? spawn(TASKSET!, ['-c', this.SUT_CPU, binary, ...args], { stdio: ['ignore', log, log] })
      : spawn(binary, args, { stdio: ['ignore', log, log] });
    await waitConnectable(port, 5000);
    return { port, ports: [port], pid: child.pid!, gc: async () => undefined, stop: () => stopChild(child, () => child.kill('SIGTERM')) };
  }

  /** Forks a load generator (pinned to `cpu`, at `priority`) and waits for its direct hub's port. */
  async forkLoadgen(tag: string, cpu: string, priority?: string): Promise<{ lg: ChildProcess; hubPort: number }> {
    const { options } = this;
    const log = this.logFile(`loadgen-${tag}`);
    const lg = fork(path.join(options.outBench, 'loadgen.js'), [], {
      ...this.pinned(
        cpu,
        [
          '--max-old-space-size=8192',
          '--enable-source-maps',
          ...(options.profileLoadgen ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.tmp, 'prof')}`, `--cpu-prof-name=loadgen-${tag}.cpuprofile`] : []),
        ],
        priority,
      ),
      stdio: ['ignore', log, log, 'ipc'],
    });
    const hubPort = await new Promise<number>((resolve, reject) => {
      lg.once('message', (m: { hubPort: number }) => resolve(m.hubPort));
      lg.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    return { lg, hubPort };
  }

  /** fork() options that start node under `taskset -c cpu` when pinning, and at `priority` (see prioritized). */
  private pinned(cpu: string, execArgv: string[], priority = 'nice:0'): { execPath?: string; execArgv: string[] } {
    const wrap = [...prioritized(priority), ...(this.PIN ? [TASKSET!, '-c', cpu] : [])];
    return wrap.length ? { execPath: wrap[0], execArgv: [...wrap.slice(1), process.execPath, ...execArgv] } : { execArgv };
  }
}

/** The command that starts a process at `priority` ('nice:N' or 'fifo:N'), or none at the default. */
function prioritized(priority: string): string[] {
  const [kind, n] = priority.split(':');
  if (kind === 'nice' && Number(n) !== 0 && NICE) return [NICE, '-n', n];
  if (kind === 'fifo' && CHRT) return [CHRT, '-f', n];
  return [];
}

export function findMosquitto(): string | undefined {
  const candidates = [
    process.env.MOSQUITTO,
    ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'mosquitto')),
    '/usr/sbin/mosquitto',
    '/usr/local/sbin/mosquitto',
  ];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

/** Debian's nats-server (apt-get install nats-server), or NATS_SERVER. */
export function findNatsServer(): string | undefined {
  const candidates = [
    process.env.NATS_SERVER,
    ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/local/sbin/nats-server',
  ];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

export function hasAedes(root: string): boolean {
  try {
    require.resolve('aedes', { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitConnectable(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function stopChild(child: ChildProcess, politely: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      politely();
    } catch {
      child.kill('SIGKILL');
    }
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** A process's scheduling policy, real-time priority and niceness as the kernel has them (/proc/PID/stat). */
export function schedulingOf(pid: number): { policy: string; rtPriority: number; nice: number } {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // Fields after the name, from 3 (state): nice is field 19, rt_priority 40, policy 41.
  const policy = ['other', 'fifo', 'rr', 'batch', '', 'idle', 'deadline'][Number(f[41 - 3])] ?? f[41 - 3];
  return { policy, rtPriority: Number(f[40 - 3]), nice: Number(f[19 - 3]) };
}

export type LgMessage = { t: 'gc' } | { t: 'result'; metrics?: Record<string, unknown>; error?: string } | ChatMessage;

/** Sends `req` and resolves with the result; `on` sees every other message. */
export function request(lg: ChildProcess, req: RunRequest, on: (m: LgMessage) => void): Promise<Record<string, unknown>> {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    lg.on('message', (m: LgMessage) => {
      if (m.t !== 'result') on(m);
      else if (m.error) reject(new Error(m.error));
      else resolve(m.metrics!);
    });
    lg.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    lg.send(req);
  });
}
