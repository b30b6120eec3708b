import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Logger } from '../net/logger';
import { reachableAddresses } from '../server/lanAddresses';
import { Relay } from '../server/relay';
import { Secrets } from './secrets';
import { readSettings } from './settings';

export interface HostingInfo {
  port: number;
  /** What teammates type as the server: LAN addresses with the port. */
  addresses: string[];
  secret: string;
}

/**
 * Runs the relay inside this extension host: the same relay as the CLI, with its history kept
 * in the extension's global storage. Uses the stored team secret, creating one if there is none.
 */
export class LocalRelay implements vscode.Disposable {
  private relay: Relay | undefined;
  private info: HostingInfo | undefined;
  private readonly didChange = new vscode.EventEmitter<HostingInfo | undefined>();
  readonly onDidChange = this.didChange.event;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly secrets: Secrets,
    private readonly logger: Logger,
  ) {}

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
    const relay = new Relay({
      host: settings.relayHost,
      port: settings.relayPort,
      auth: { secret },
      historyDir: path.join(this.storage.fsPath, 'relay'),
      historyMaxEntries: settings.historySize * 10,
      logger: this.logger,
    });
    const address = await relay.start();
    this.relay = relay;
    this.info = { port: address.port, addresses: reachableAddresses(settings.relayHost, address.port), secret };
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

  /** Connected clients, for the status bar. */
  get clientCount(): number {
    return this.relay?.clientCount ?? 0;
  }

  dispose(): void {
    void this.stop();
    this.didChange.dispose();
  }
}
