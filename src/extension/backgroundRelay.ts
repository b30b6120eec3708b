import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { z } from 'zod';

/**
 * The local relay as a process of its own that outlives VS Code: the command-line relay
 * (dist/cli.js) started detached, on the same folder, certificate and secret as the relay inside
 * the editor, so teammates see no difference. A window finds it again by its record
 * (background.json beside the history) and attaches as a client; Stop Local Relay ends it.
 * No `vscode` here: the tests start a real one.
 */

const RECORD = 'background.json';
const Record = z.object({ pid: z.number().int().positive(), port: z.number().int().min(1).max(65535) });
export type BackgroundRecord = z.infer<typeof Record>;

export interface BackgroundPlaces {
  /** The relay's history folder (the record and its log go there too). */
  historyDir: string;
  certFile: string;
  keyFile: string;
}

/** The background relay recorded in `historyDir`, when its process lives and its port answers. */
export async function findBackgroundRelay(historyDir: string): Promise<BackgroundRecord | undefined> {
  let record: BackgroundRecord;
  try {
    record = Record.parse(JSON.parse(fs.readFileSync(path.join(historyDir, RECORD), 'utf8')));
  } catch {
    return undefined;
  }
  if (!alive(record.pid) || !(await portAnswers(record.port))) return undefined;
  return record;
}

/**
 * Starts the relay detached (its own session; no pipe to this process) and resolves once its port
 * answers. `node` is a Node binary to run it with (VS Code's own, with ELECTRON_RUN_AS_NODE).
 */
export async function startBackgroundRelay(
  places: BackgroundPlaces,
  options: { cli: string; node: string; host: string; port: number; secret: string; historyMax: number },
): Promise<BackgroundRecord> {
  // Something answering there already would pass for the relay below.
  if (await portAnswers(options.port)) throw new Error(`port ${options.port} is already in use; choose another with teamMessenger.relay.port`);
  fs.mkdirSync(places.historyDir, { recursive: true, mode: 0o700 });
  const log = fs.openSync(path.join(places.historyDir, 'background.log'), 'a', 0o600);
  const args = [options.cli, 'relay', '--host', options.host, '--port', String(options.port), '--history-dir', places.historyDir];
  args.push('--history-max', String(options.historyMax), '--cert', places.certFile, '--key', places.keyFile);
  const child = spawn(options.node, args, {
    detached: true,
    stdio: ['ignore', log, log],
    // The secret by environment, never on the command line (which any user sees in `ps`).
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', TEAM_MESSENGER_SECRET: options.secret, TEAM_MESSENGER_RELAY_RESTARTED: '1' },
  });
  fs.closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('the background relay did not start');
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (child.exitCode !== null) break;
    if (await portAnswers(options.port)) {
      const record = { pid, port: options.port };
      fs.writeFileSync(path.join(places.historyDir, RECORD), JSON.stringify(record) + '\n', { mode: 0o600 });
      return record;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  const tail = readTail(path.join(places.historyDir, 'background.log'));
  throw new Error(`the background relay did not start listening on port ${options.port}${tail ? `: ${tail}` : ''}`);
}

/** Stops the recorded background relay (gracefully: it tells its clients) and forgets it. */
export async function stopBackgroundRelay(historyDir: string): Promise<void> {
  const file = path.join(historyDir, RECORD);
  let record: BackgroundRecord | undefined;
  try {
    record = Record.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    record = undefined;
  }
  fs.rmSync(file, { force: true });
  // Only a process that is alive and still serves the relay's port: a pid reused by another
  // program after the relay died is left alone.
  if (!record || !alive(record.pid) || !(await portAnswers(record.port))) return;
  process.kill(record.pid, 'SIGTERM');
  for (let waited = 0; waited < 5000 && alive(record.pid); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(record.pid)) process.kill(record.pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-2).join(' ').slice(-300);
  } catch {
    return '';
  }
}
