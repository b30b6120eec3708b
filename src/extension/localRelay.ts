import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Logger } from '../net/logger';
import { reachableAddresses } from '../server/lanAddresses';
import { createCertificate, fingerprintOf } from '../server/certificate';
import { Relay } from '../server/relay';
import { Disposable } from '../model/lifecycle';
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

/**
 * Runs the relay inside this extension host: the same relay as the CLI, with its history kept
 * in the extension's global storage. Uses the stored team secret, creating one if there is none.
 */
export class LocalRelay extends Disposable {
  private relay: Relay | undefined;
  private info: HostingInfo | undefined;
  private readonly didChange = this._register(new vscode.EventEmitter<HostingInfo | undefined>());
  readonly onDidChange = this.didChange.event;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly secrets: Secrets,
    private readonly logger: Logger,
  ) {
    super();
    this._register({ dispose: () => void this.stop() });
  }

  get hosting(): HostingInfo | undefined {
    return this.info;
  }

  async start(): Promise<HostingInfo> {
    if (this.info) return this.info;
    const settings = readSettings();
    let secret = await this.secrets.teamSecret();
    if (!secret) {
      secret = crypto.randomBytes(18).toString('base64url');
      await this.secrets.setTeamSecret(secret);
    }
    const certificate = await this.certificate();
    const relay = new Relay({
      host: settings.relayHost,
      port: settings.relayPort,
      auth: { secret },
      tls: { certPem: certificate.certPem, keyPem: certificate.keyPem },
      historyDir: path.join(this.storage.fsPath, 'relay'),
      historyMaxEntries: settings.historySize * 10,
      logger: this.logger,
    });
    const address = await relay.start();
    this.relay = relay;
    this.info = { port: address.port, addresses: reachableAddresses(settings.relayHost, address.port), secret, fingerprint: certificate.fingerprint256 };
    this.didChange.fire(this.info);
    return this.info;
  }

  async stop(): Promise<void> {
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
