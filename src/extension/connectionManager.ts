import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parseHostPorts } from '../net/address';
import { ClientState, TeamClient } from '../net/client/teamClient';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { Logger, prefixedLogger } from '../net/logger';
import { DEFAULT_PORT } from '../net/protocol/limits';
import type { PeerStatus } from '../net/protocol/messages';
import { ConnectionFailure, ConnectionHealth } from '../model/connectionFailure';
import { ConnectionMachine, isSuperseded, MachineOptions } from '../model/connectionMachine';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { JsonFileStore } from '../model/jsonFileStore';
import { SavedState } from '../model/savedState';
import { showWarningMessage } from '../views/safeWindow';
import { RelayTrust } from './relayTrust';
import { BOOKMARK, bookmarkKey, loadBookmark, loadRecentRelays, rememberRelay } from './savedRelays';
import { Secrets } from './secrets';
import { readSettings, updateSetting } from './settings';

/** How a connection is made, besides the settings. */
export interface ConnectOptions extends MachineOptions {
  /** This window's own relay: its certificate fingerprint, pinned before connecting. */
  pin?: string;
  /** The relay's fingerprint as an invite or address block gives it: required, pinned once in. */
  fingerprint?: string;
  /** An invite token: logs in without the secret; the relay then gives the secret (stored). */
  invite?: string;
  /** A team secret to log in with instead of the stored one; stored once it worked. */
  secret?: string;
  /** Make this relay `teamMessenger.server` once it let the user in (Connect…): never before, so a
   *  mistyped address does not replace a working one. */
  saveServer?: boolean;
}

/** Tells the user why a relay cannot be used (connectionNotice.ts in VS Code). */
export type FailureReporter = (failure: ConnectionFailure, retrying: boolean) => void;

/** Time to reach a relay and be let in, when failing fast. */
const FAIL_FAST_TIMEOUT_MS = 10_000;

/**
 * Owns the one TeamClient of this window through a ConnectionMachine (one connection at a
 * time, the newest request wins): creates it from settings and secrets, remembers where the user
 * left off in each relay's history, keeps what a relay that let the user in gave (secret, pin, the
 * setting), and tells the rest of the extension about every new client, state change and failure.
 */
export class ConnectionManager extends Disposable implements ConnectionHealth {
  private toldWatchLimit = false;
  private readonly logger: Logger;
  private readonly didCreate = this._register(new vscode.EventEmitter<TeamClient>());
  private readonly didChangeState = this._register(new vscode.EventEmitter<ClientState>());
  private readonly didFail = this._register(new vscode.EventEmitter<TeamMessengerError>());
  /** A new client exists: attach listeners to it. */
  readonly onDidCreateClient = this.didCreate.event;
  readonly onDidChangeState = this.didChangeState.event;
  /** A connection attempt ended for good (wrong secret, bad address...). */
  readonly onDidFail = this.didFail.event;

  readonly trust: RelayTrust;
  private readonly saved: SavedState;
  /** Secrets the relay gave for an invite, being stored (awaited before a connect resolves). */
  private readonly secretWrites = new WeakMap<TeamClient, Promise<void>>();
  /** Registered after the emitters, so disposed before them: the client leaves first. */
  private readonly machine: ConnectionMachine<ConnectOptions, TeamClient>;
  /** Whom a new client of this identity watches from its first hello (set by the Messenger). */
  watchFor: ((selfId: string) => string[]) | undefined;
  /** The status a new client says in its first hello (the user's, kept across sessions). */
  statusFor: (() => PeerStatus) | undefined;

  constructor(
    private readonly secrets: Secrets,
    state: vscode.Memento,
    /** The file that keeps the relays' pinned certificates. */
    pinFile: string,
    logger: Logger,
    report: FailureReporter,
  ) {
    super();
    // The relay a window hosts logs into the same channel: the client's lines say whose they are.
    this.logger = prefixedLogger(logger, 'client');
    this.saved = new SavedState(state, this.logger);
    this.trust = new RelayTrust(new SavedState(new JsonFileStore(pinFile, this.logger), this.logger), this.saved);
    this.machine = this._register(
      new ConnectionMachine<ConnectOptions, TeamClient>({
        create: (target, options) => this.createClient(target, options),
        adopt: (client, target) => this.adopt(client, target),
        accepted: (client, target, options) => this.accepted(client, target, options),
        released: () => {
          this.flushBookmark();
          this.didChangeState.fire('closed');
        },
        notify: (failure, retrying) => {
          this.logger.warn('told the user why the relay cannot be used', { server: failure.server, code: failure.code, retrying });
          report(failure, retrying);
        },
      }),
    );
  }

  get client(): TeamClient | undefined {
    return this.machine.client;
  }

  /** `host:port` of the relay this window talks to, or '' */
  get server(): string {
    return this.machine.server;
  }

  get connectionState(): ClientState | 'idle' {
    return this.client?.state ?? 'idle';
  }

  get failure(): ConnectionFailure | undefined {
    return this.machine.failure;
  }

  get disconnectedFrom(): string {
    return this.machine.disconnectedFrom;
  }

  readonly onDidChangeHealth = (listener: () => void) => this.machine.onDidChange(listener);

  /** Relays this user connected to lately, newest first (Connect… offers them). */
  recentRelays(): string[] {
    return loadRecentRelays(this.saved);
  }

  /**
   * Connects to `server` (default: the setting), replacing any other connection of this window.
   * Resolves when connected; rejects with the reason when the relay refuses (wrong secret, used
   * invite) or the address is wrong, and with `Superseded` when another request came first.
   * Unreachable relays are retried in the background, unless `failFast`.
   */
  async connect(server?: string, options: ConnectOptions = {}): Promise<void> {
    const address = (server ?? readSettings().server).trim();
    if (!address) throw new Error('No relay address is set. Run "Team Messenger: Connect to Relay…" and enter host:port.');
    try {
      await this.machine.connect(address, options);
    } catch (err) {
      if (!isSuperseded(err) && err instanceof TeamMessengerError && this.machine.target === address) this.didFail.fire(err);
      throw err;
    }
  }

  /** Disconnect: leaves the relay, and connects nowhere until asked again. */
  disconnect(): Promise<void> {
    return this.machine.disconnect(true);
  }

  /** Retry: the wanted relay again, now. Its failures are told by the manager. */
  retry(): void {
    this.machine.retry()?.catch((err: Error) => {
      if (!isSuperseded(err)) this.logger.warn('retrying failed', { error: err.message });
    });
  }

  /**
   * The settings changed: `server` when the relay setting did, `reconnect` when what the client
   * logs in with did. A relay already wanted is not connected again (a command that just
   * connected wrote it), and nothing happens after Disconnect.
   */
  settingsChanged(server: string | undefined, reconnect: boolean): void {
    this.machine.settingsChanged(server, reconnect, {})?.catch((err: Error) => {
      if (!isSuperseded(err)) this.logger.warn('reconnect after a settings change failed', { error: err.message });
    });
  }

  private async createClient(address: string, options: ConnectOptions): Promise<TeamClient> {
    const settings = readSettings();
    // Several addresses (the relays of a cluster) are tried in turn; secrets and pins go by the whole text.
    const [{ host, port }, ...alternates] = parseHostPorts(address, DEFAULT_PORT);
    // This window's own relay: its certificate is known, no question to ask.
    if (options.pin) await this.trust.pin(address, options.pin);
    // A fingerprint from an invite or an address block is held to, not asked about; it is pinned
    // only once the relay proved it has that certificate and let this user in.
    const ca = readCa(settings.tlsCaFile);
    const tls = options.fingerprint && !ca ? { fingerprint: options.fingerprint } : settings.plainTcp ? undefined : this.trust.tlsFor(address, ca);
    if (!tls) this.logger.warn('connecting without TLS (teamMessenger.plainTcp is on)', { server: address });
    const identity = await this.secrets.identity();
    const watch = this.watchFor?.(identity.clientId);
    // With an invite, no secret: the token stands in for it (a stored one may be another team's).
    const secret = options.invite ? undefined : (options.secret ?? (await this.secrets.teamSecret(address)));
    return new TeamClient({
      host,
      port,
      ...(alternates.length > 0 ? { alternates } : {}),
      name: settings.displayName,
      identity,
      secret,
      ...(options.invite ? { invite: options.invite } : {}),
      bookmark: loadBookmark(this.saved, address, identity.clientId),
      logger: this.logger,
      tls: tls ?? false,
      ...(options.failFast ? { retryFirstConnect: false, connectTimeoutMs: FAIL_FAST_TIMEOUT_MS } : {}),
      ...(watch ? { watch } : {}),
      ...(this.statusFor ? { status: this.statusFor() } : {}),
    });
  }

  private adopt(client: TeamClient, address: string): void {
    client.on('state', (s) => {
      if (this.client === client) this.didChangeState.fire(s);
    });
    client.on('message', () => this.saveBookmarkSoon(address, client));
    client.on('welcome', () => this.saveBookmarkSoon(address, client));
    // In with an invite: the relay gave the team secret, kept for this relay only.
    client.on('secret', (given) => {
      this.logger.info('the relay accepted the invite and gave the team secret; stored in the keychain', { server: address });
      this.secretWrites.set(client, this.secrets.setTeamSecret(given, address));
    });
    // Notices that answer nothing the user is waiting on (a cut watch set, say): logged; the one
    // that changes what the Peers view can show is said once a window (it recurs on every reconnect).
    client.on('relay-error', (error) => {
      this.logger.warn('the relay reported a problem', { code: error.code, message: error.message });
      if (error.code === ErrorCode.WatchLimit && this.client === client && !this.toldWatchLimit) {
        this.toldWatchLimit = true;
        void showWarningMessage(inert`Team Messenger: ${error.message}.`);
      }
    });
    this.didCreate.fire(client);
  }

  /** Only now that the relay let the user in: what was given is kept for the next start. */
  private async accepted(client: TeamClient, address: string, options: ConnectOptions): Promise<void> {
    let secretStored = this.secretWrites.get(client);
    if (options.secret && !secretStored) secretStored = this.secrets.setTeamSecret(options.secret, address);
    await secretStored;
    if (options.fingerprint && client.relayFingerprint) await this.trust.pin(address, client.relayFingerprint);
    if (!options.pin) await rememberRelay(this.saved, address);
    // The writes above take a while (the keychain): a newer request may have replaced this one
    // meanwhile, and its relay, not this one, is the setting to keep.
    if (this.client !== client) return;
    if (options.saveServer && readSettings().server !== address) await updateSetting('server', address);
  }

  // Where the user left off, per relay and identity: a reload receives what it missed.
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private pendingBookmark: (() => void) | undefined;

  private saveBookmarkSoon(server: string, client: TeamClient): void {
    this.pendingBookmark = () => {
      if (client.bookmark) void this.saved.write(bookmarkKey(server, client.clientId), client.bookmark, BOOKMARK);
    };
    this.bookmarkTimer ??= setTimeout(() => this.flushBookmark(), 500);
  }

  private flushBookmark(): void {
    clearTimeout(this.bookmarkTimer);
    this.bookmarkTimer = undefined;
    this.pendingBookmark?.();
    this.pendingBookmark = undefined;
  }
}

function readCa(file: string): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the CA certificate in teamMessenger.tlsCaFile (${file}): ${(err as Error).message}`, { cause: err });
  }
}
