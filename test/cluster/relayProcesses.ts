// Relays of a cluster as real `team-messenger relay --cluster …` child processes, so a test can
// kill one with SIGKILL (nothing flushed, nothing said goodbye) and start it again on its port.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The CLI as tsc compiles it (what `npx tsc -p .` leaves in out/), so no bundling step is needed. */
const CLI = path.resolve(__dirname, '../../src/cli/main.js');
export const RELAY_HOST = '127.0.0.1';
export const RELAY_SECRET = 'chaos test team secret';

export interface RelayProcessOptions {
  /** The NATS servers to join; without them the relay runs alone (the bench's single relay). */
  natsUrls?: string[];
  replicas?: 1 | 3;
  /** The CLI script to run with node (default: tsc's out/src/cli/main.js; the bench has a bundle). */
  cli?: string;
  /** How long one relay may take to join the cluster and listen. */
  startTimeoutMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** One relay process; its port and history folder outlive a kill so it restarts as itself. */
export class RelayProcess {
  child: ChildProcess | undefined;
  stderr = '';
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    readonly historyDir: string,
    private readonly options: RelayProcessOptions,
  ) {}

  static async start(options: RelayProcessOptions): Promise<RelayProcess> {
    const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-chaos-relay-'));
    const relay = new RelayProcess(await freePort(), historyDir, options);
    try {
      await relay.restart();
    } catch (err) {
      await relay.stop();
      throw err;
    }
    return relay;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the relay (again) on its port with its history; resolves once it listens. */
  async restart(): Promise<void> {
    if (this.alive) throw new Error(`relay on port ${this.port} is still running`);
    const { natsUrls, replicas = 1, logLevel = 'warn', cli = CLI } = this.options;
    const args = [
      cli,
      'relay',
      ...['--host', RELAY_HOST, '--port', String(this.port), '--plain', '--secret', RELAY_SECRET],
      ...['--history-dir', this.historyDir, '--log-level', logLevel],
      ...(natsUrls ? ['--cluster', natsUrls.join(','), '--cluster-replicas', String(replicas)] : []),
    ];
    // Runs without re-spawning itself with relay flags, so the pid here is the relay's own.
    const env: NodeJS.ProcessEnv = { ...process.env, TEAM_MESSENGER_HOME: this.historyDir, TEAM_MESSENGER_RELAY_RESTARTED: '1' };
    delete env.TEAM_MESSENGER_SECRET;
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.stderr = '';
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      // Keeps the tail only: a long run logs a lot, and a failure needs the last lines.
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    await this.waitUntilListening(this.options.startTimeoutMs ?? 60_000);
  }

  /** SIGKILL: the relay dies mid-whatever, as on a power cut. */
  async kill9(): Promise<void> {
    if (this.alive) this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** Stops the process (SIGKILL: tests do not wait for a graceful goodbye) and removes its folder. */
  async stop(): Promise<void> {
    await this.kill9();
    fs.rmSync(this.historyDir, { recursive: true, force: true });
  }

  /** Whatever the log level: the relay listens once it joined the cluster and read the stream. */
  private async waitUntilListening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await accepts(this.port))) {
      if (!this.alive) throw new Error(`relay on port ${this.port} exited before listening:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`relay on port ${this.port} did not listen within ${timeoutMs} ms:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Starts `count` relays one after the other (the first creates the stream; the others find it). */
export async function startRelayProcesses(count: number, options: RelayProcessOptions): Promise<RelayProcess[]> {
  const relays: RelayProcess[] = [];
  try {
    for (let i = 0; i < count; i++) relays.push(await RelayProcess.start(options));
  } catch (err) {
    await Promise.all(relays.map((r) => r.stop()));
    throw err;
  }
  return relays;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: RELAY_HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A loopback port nobody listens on now (the relay binds it; a restart binds it again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, RELAY_HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
