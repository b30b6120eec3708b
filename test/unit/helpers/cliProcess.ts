import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

/** A running `team-messenger` child process whose output can be awaited line by line. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  /** `launcher` runs the CLI through another command (e.g. `taskset -c 0`). */
  constructor(args: string[], env: NodeJS.ProcessEnv, input?: string, launcher: string[] = []) {
    const [command, ...rest] = [...launcher, process.execPath, CLI, ...args];
    this.child = spawn(command, rest, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.wake();
    });
    if (input !== undefined) this.child.stdin!.end(input);
    else this.child.stdin!.end();
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** stdout parsed as JSON lines (every line must be JSON). */
  get events(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Resolves when `predicate` holds for the output; fails with the output after `timeoutMs`. */
  async waitFor<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForEvent(type: string, match: (e: Record<string, unknown>) => boolean = () => true, timeoutMs?: number) {
    return this.waitFor(`a "${type}" event`, () => this.events.find((e) => e.type === type && match(e)), timeoutMs);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Every line of a command's standard output (`--json`), as JSON. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const p = new CliProcess(args, env, input);
  const code = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr };
}

/** Tracks child processes and temp folders so every test leaves nothing behind. */
export class CliFixture {
  private readonly processes: CliProcess[] = [];
  private readonly dirs: string[] = [];

  tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-cli-'));
    this.dirs.push(dir);
    return dir;
  }

  /** An environment with its own home folder, so identities and secrets never leak between tests. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const { TEAM_MESSENGER_SECRET: _ignored, ...base } = process.env;
    return { ...base, TEAM_MESSENGER_HOME: this.tempDir(), ...extra };
  }

  start(args: string[], env: NodeJS.ProcessEnv, launcher?: string[]): CliProcess {
    const p = new CliProcess(args, env, undefined, launcher);
    this.processes.push(p);
    return p;
  }

  /** Starts `team-messenger relay` on a free port and resolves once it listens. */
  async relay(args: string[], env: NodeJS.ProcessEnv, launcher?: string[]): Promise<{ process: CliProcess; port: number }> {
    const process = this.start(['relay', '--host', '127.0.0.1', ...args], env, launcher);
    const port = await process.waitFor('the relay to listen', () => {
      const m = /relay listening .*port=(\d+)/.exec(process.stderr);
      return m ? Number(m[1]) : undefined;
    });
    return { process, port };
  }

  /**
   * A relay on a free port with the team secret `team-secret`, and what its clients need: an
   * environment with its own home, `common` (server and secret, then `clientArgs`), and `as`, which
   * runs one command as `name` (the home keeps each name's identity).
   */
  async team(options: { relayArgs?: string[]; clientArgs?: string[] } = {}) {
    const env = this.env();
    const relay = await this.relay(['--port', '0', '--secret', 'team-secret', ...(options.relayArgs ?? [])], env);
    const server = `127.0.0.1:${relay.port}`;
    const common = ['--server', server, '--secret', 'team-secret', ...(options.clientArgs ?? [])];
    const as = (name: string, args: string[], input?: string) => runCli([args[0], ...common, '--name', name, ...args.slice(1)], env, input);
    return { env, relay, port: relay.port, server, common, as };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.processes.splice(0).map((p) => p.stop('SIGKILL')));
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}
