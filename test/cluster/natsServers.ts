// Starts real nats-server processes (Debian's package) on loopback for the cluster tests: one node,
// or three joined by routes with JetStream replicated across them. Each node keeps its ports and
// store dir across kill9/restart, so a restarted node rejoins with its data like a rebooted machine.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

export interface NatsNode {
  url: string;
  pid: number;
  storeDir: string;
}

export interface NatsCluster {
  urls: string[];
  nodes: NatsNode[];
  kill9(i: number): Promise<void>;
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  nodes: 1 | 3;
  /** Default true: most cluster tests need streams and KV. */
  jetstream?: boolean;
  /** How long each node gets to answer (JetStream meta-leader election takes a few seconds). */
  readyTimeoutMs?: number;
}

const MISSING = 'nats-server is not installed: apt-get install nats-server (bash scripts/ci/installNats.sh)';

// Debian's location is added because /usr/sbin is not on every user's PATH.
const SEARCH_DIRS = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];

/** The nats-server executable, or an error saying how to install it. */
export function natsServerBinary(searchDirs: string[] = SEARCH_DIRS): string {
  for (const dir of searchDirs) {
    if (!dir) continue;
    const candidate = path.join(dir, 'nats-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here: try the next directory
    }
  }
  throw new Error(MISSING);
}

/** A loopback port nobody listens on right now (the OS picks it; released before nats-server binds it). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface NodeProcess {
  node: NatsNode;
  args: string[];
  logFile: string;
  child?: ChildProcess;
}

// Children still alive when the test process exits (a crashed run) are killed, so no server outlives it.
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => liveChildren.forEach((c) => c.kill('SIGKILL')));

function launch(binary: string, p: NodeProcess): void {
  const log = fs.openSync(p.logFile, 'a');
  const child = spawn(binary, p.args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  p.child = child;
  p.node.pid = child.pid ?? -1;
}

function running(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!running(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

function tailOf(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves once the node accepts clients and (with JetStream) its JetStream API answers. */
async function waitReady(p: NodeProcess, jetstream: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!running(p.child)) break;
    try {
      // Typed by hand: transport-node re-exports its types from a subpath "node" resolution cannot see.
      const nc: NatsConnection = await connect({ servers: p.node.url, reconnect: false, timeout: 1000 });
      try {
        if (jetstream) await (await jetstreamManager(nc, { timeout: 1000 })).getAccountInfo();
        else await nc.flush();
        return;
      } finally {
        await nc.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const why = running(p.child) ? `not ready within ${timeoutMs} ms` : 'exited';
  throw new Error(`nats-server ${p.node.url} ${why} (${String(lastError)})\n--- log\n${tailOf(p.logFile)}`);
}

export async function startNats(opts: StartNatsOptions): Promise<NatsCluster> {
  const binary = natsServerBinary();
  const jetstream = opts.jetstream ?? true;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-nats-'));
  const clientPorts: number[] = [];
  const clusterPorts: number[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    clientPorts.push(await freePort());
    clusterPorts.push(await freePort());
  }
  const procs: NodeProcess[] = clientPorts.map((port, i) => {
    const storeDir = path.join(root, `node-${i}`);
    fs.mkdirSync(storeDir);
    // Clustered JetStream needs a stable server_name per node, so a restarted node is the same peer.
    const args = ['-a', '127.0.0.1', '-p', String(port), '--server_name', `tm-n${i}`];
    if (jetstream) args.push('-js', '-sd', storeDir);
    if (opts.nodes > 1) {
      const routes = clusterPorts.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
      args.push('--cluster_name', 'tm-test', '--cluster', `nats://127.0.0.1:${clusterPorts[i]}`);
      args.push('--routes', routes.join(','));
    }
    const node: NatsNode = { url: `nats://127.0.0.1:${port}`, pid: -1, storeDir };
    return { node, args, logFile: path.join(root, `node-${i}.log`) };
  });

  const stop = async (): Promise<void> => {
    await Promise.all(procs.map((p) => killAndWait(p.child)));
    fs.rmSync(root, { recursive: true, force: true });
  };
  const at = (i: number): NodeProcess => {
    const p = procs[i];
    if (!p) throw new Error(`no nats node ${i} (the cluster has ${procs.length})`);
    return p;
  };

  try {
    procs.forEach((p) => launch(binary, p));
    // All at once: with three nodes none answers JetStream until a meta leader exists among them.
    await Promise.all(procs.map((p) => waitReady(p, jetstream, readyTimeoutMs)));
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    urls: procs.map((p) => p.node.url),
    nodes: procs.map((p) => p.node),
    kill9: (i) => killAndWait(at(i).child),
    restart: async (i) => {
      const p = at(i);
      await killAndWait(p.child);
      launch(binary, p);
      await waitReady(p, jetstream, readyTimeoutMs);
    },
    stop,
  };
}
