import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Logger, prefixedLogger } from '../net/logger';
import { randomToken } from '../net/randomToken';
import { reachableAddresses } from '../server/lanAddresses';
import { createCertificate, fingerprintOf } from '../server/certificate';
import { Relay } from '../server/relay';
import { z } from 'zod';
import { Disposable } from '../model/lifecycle';
import { KeyValueStore, SavedState } from '../model/savedState';
import { BackgroundRecord, findBackgroundRelay, portAnswers, startBackgroundRelay, stopBackgroundRelay } from './backgroundRelay';
import { Secrets } from './secrets';
import { readSettings } from './settings';

export interface HostingInfo {
  port: number;
  /** What teammates type as the server: LAN addresses with the port. */
  addresses: string[];
  secret: string;
  /** SHA-256 of the relay's TLS certificate: teammates compare it when they first connect. */
  fingerprint: string;
}

/** Remembered while the relay runs: a window reload starts it again, on the same port. */
const RUNNING_KEY = 'teamMessenger.localRelay.running';
const RunningPart = {
  what: "the local relay's last run",
  instead: 'it is not started again by itself',
  maxChars: 200,
  parse: (value: unknown) => z.object({ port: z.number().int().min(1).max(65535) }).parse(value),
};

/**
 * Runs the relay inside this extension host: the same relay as the CLI, with its history kept
 * in the extension's global storage. Uses the stored team secret, creating one if there is none.
 * Its port, secret, certificate and history outlive the window: a reload that ends the relay
 * (the extension host goes) starts it again at activation (`wasRunning`), and the others'
 * clients come back and resume; only Stop Local Relay forgets it. With
 * `teamMessenger.relay.keepRunning` it runs as a process of its own instead (backgroundRelay.ts),
 * which outlives VS Code; a window attaches to it as it finds it.
 */
export class LocalRelay extends Disposable {
  private relay: Relay | undefined;
  /** The background relay this window attached to, when it runs as its own process. */
  private background: BackgroundRecord | undefined;
  private info: HostingInfo | undefined;
  private readonly didChange = this._register(new vscode.EventEmitter<HostingInfo | undefined>());
  readonly onDidChange = this.didChange.event;

  private readonly saved: SavedState;

  constructor(
    private readonly storage: vscode.Uri,
    /** Where the extension is installed: its dist/cli.js runs a background relay. */
    private readonly extension: vscode.Uri,
    private readonly secrets: Secrets,
    state: KeyValueStore,
    private readonly logger: Logger,
  ) {
    super();
    this.saved = new SavedState(state, logger);
    // The window goes (reload, close): the relay stops with it but stays remembered.
    this._register({ dispose: () => void this.stop({ forget: false }) });
  }

  /** The port of the relay this window ran when it went away without Stop Local Relay. */
  get wasRunning(): { port: number } | undefined {
    return this.saved.read(RUNNING_KEY, RunningPart);
  }

  get hosting(): HostingInfo | undefined {
    return this.info;
  }

  async start(): Promise<HostingInfo> {
    if (this.info) return this.info;
    const settings = readSettings();
    let secret = await this.secrets.teamSecret();
    if (!secret) {
      secret = randomToken(18);
      await this.secrets.setTeamSecret(secret);
    }
    const certificate = await this.certificate();
    const historyDir = path.join(this.storage.fsPath, 'relay');
    // The port it had before a reload, so teammates' addresses and pins stay valid.
    const port = settings.relayPort || this.wasRunning?.port || 0;
    const background =
      (await findBackgroundRelay(historyDir)) ??
      (settings.relayKeepRunning && port > 0
        ? await startBackgroundRelay(
            { historyDir, certFile: path.join(this.storage.fsPath, 'relay-tls', 'cert.pem'), keyFile: path.join(this.storage.fsPath, 'relay-tls', 'key.pem') },
            {
              cli: path.join(this.extension.fsPath, 'dist', 'cli.js'),
              node: process.execPath,
              host: settings.relayHost,
              port,
              secret,
              historyMax: settings.historySize * 10,
            },
          )
        : undefined);
    if (background) {
      this.background = background;
      this.logger.info('[relay] hosting in the background (outlives VS Code)', { pid: background.pid, port: background.port });
      return this.hosted(background.port, settings.relayHost, secret, certificate.fingerprint256);
    }
    // Before the relay reads its folder: another window (or program) on this port must be left alone.
    if (port > 0 && (await portAnswers(port))) {
      throw new Error(`port ${port} is already in use (another VS Code window may host the relay: connect to 127.0.0.1:${port} instead)`);
    }
    const relay = new Relay({
      host: settings.relayHost,
      port,
      auth: { secret },
      tls: { certPem: certificate.certPem, keyPem: certificate.keyPem },
      historyDir: path.join(this.storage.fsPath, 'relay'),
      historyMaxEntries: settings.historySize * 10,
      logger: prefixedLogger(this.logger, 'relay'),
    });
    const address = await relay.start();
    this.relay = relay;
    return this.hosted(address.port, settings.relayHost, secret, certificate.fingerprint256);
  }

  /** Whether the relay runs as its own process (it outlives VS Code). */
  get inBackground(): boolean {
    return this.background !== undefined;
  }

  private hosted(port: number, host: string, secret: string, fingerprint: string): HostingInfo {
    void this.saved.write(RUNNING_KEY, { port }, RunningPart);
    this.info = { port, addresses: reachableAddresses(host, port), secret, fingerprint };
    this.didChange.fire(this.info);
    return this.info;
  }

  /** Stops the relay; `forget` (the default, Stop Local Relay) also means not starting it after a reload. */
  async stop(options: { forget: boolean } = { forget: true }): Promise<void> {
    if (options.forget) void this.saved.write(RUNNING_KEY, undefined, RunningPart);
    if (this.background) {
      // A window that goes leaves a background relay running: that is what it is for.
      this.background = undefined;
      this.info = undefined;
      if (options.forget) await stopBackgroundRelay(path.join(this.storage.fsPath, 'relay'));
      this.didChange.fire(undefined);
      return;
    }
    const relay = this.relay;
    if (!relay) return;
    this.relay = undefined;
    this.info = undefined;
    await relay.stop('the host stopped the local relay');
    this.didChange.fire(undefined);
  }

  /** The relay's TLS certificate: made once, kept with its history, so teammates' pins stay valid. */
  private async certificate(): Promise<{ certPem: string; keyPem: string; fingerprint256: string }> {
    const dir = path.join(this.storage.fsPath, 'relay-tls');
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    try {
      const certPem = await fs.readFile(certFile, 'utf8');
      return { certPem, keyPem: await fs.readFile(keyFile, 'utf8'), fingerprint256: fingerprintOf(certPem) };
    } catch {
      const made = createCertificate({ commonName: 'Team Messenger relay', altNames: ['localhost', '127.0.0.1'] });
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.writeFile(keyFile, made.keyPem, { mode: 0o600 });
      await fs.writeFile(certFile, made.certPem);
      this.logger.info('made a TLS certificate for the local relay', { fingerprint: made.fingerprint256 });
      return made;
    }
  }

  /** Connected clients, for the status bar. */
  get clientCount(): number {
    return this.relay?.clientCount ?? 0;
  }
}
