import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parseHostPort } from '../net/address';
import { ClientState, TeamClient } from '../net/client/teamClient';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { Logger } from '../net/logger';
import { DEFAULT_PORT } from '../net/protocol/limits';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { SavedState } from '../model/savedState';
import { showWarningMessage } from '../views/safeWindow';
import { RelayTrust } from './relayTrust';
import { BOOKMARK, bookmarkKey, loadBookmark, loadRecentRelays, rememberRelay } from './savedRelays';
import { Secrets } from './secrets';
import { readSettings } from './settings';

/** How a connection is made, besides the settings. */
export interface ConnectOptions {
  /** This window's own relay: its certificate fingerprint, pinned before connecting. */
  pin?: string;
  /** The relay's fingerprint as an invite or address block gives it: required, pinned once in. */
  fingerprint?: string;
  /** An invite token: logs in without the secret; the relay then gives the secret (stored). */
  invite?: string;
  /** A team secret to log in with instead of the stored one; stored once it worked. */
  secret?: string;
  /** Reject at once when the relay cannot be reached (joining tries the next address). */
  failFast?: boolean;
}

/** Time to reach a relay and be let in, when failing fast. */
const FAIL_FAST_TIMEOUT_MS = 10_000;

/**
 * Owns the one TeamClient of this window: creates it from settings and secrets, replaces it
 * when they change, remembers where the user left off in each relay's history, and tells the
 * rest of the extension about every new client and state change.
 */
export class ConnectionManager extends Disposable {
  private current: TeamClient | undefined;
  private currentServer = '';
  private toldWatchLimit = false;
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
  /** Whom a new client of this identity watches from its first hello (set by the Messenger). */
  watchFor: ((selfId: string) => string[]) | undefined;

  constructor(
    private readonly secrets: Secrets,
    state: vscode.Memento,
    private readonly logger: Logger,
  ) {
    super();
    this.saved = new SavedState(state, logger);
    this.trust = new RelayTrust(this.saved);
    // Registered after the emitters, so disposed before them: the client leaves first.
    this._register({ dispose: () => void this.disconnect() });
  }

  get client(): TeamClient | undefined {
    return this.current;
  }

  /** `host:port` of the relay this window talks to, or '' */
  get server(): string {
    return this.currentServer;
  }

  get connectionState(): ClientState | 'idle' {
    return this.current?.state ?? 'idle';
  }

  /** Relays this user connected to lately, newest first (Connect… offers them). */
  recentRelays(): string[] {
    return loadRecentRelays(this.saved);
  }

  /**
   * Connects to `server` (default: the setting). Resolves when connected; rejects with the
   * reason when the relay refuses (wrong secret, used invite) or the address is wrong.
   * Unreachable relays are retried in the background, unless `failFast`.
   */
  async connect(server?: string, options: ConnectOptions = {}): Promise<void> {
    const settings = readSettings();
    const address = (server ?? settings.server).trim();
    if (!address) throw new Error('No relay address is set. Run "Team Messenger: Connect to Relay…" and enter host:port.');
    const { host, port } = parseHostPort(address, DEFAULT_PORT);
    await this.disconnect();
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
    const client = new TeamClient({
      host,
      port,
      name: settings.displayName,
      identity,
      secret,
      ...(options.invite ? { invite: options.invite } : {}),
      bookmark: loadBookmark(this.saved, address, identity.clientId),
      logger: this.logger,
      tls: tls ?? false,
      ...(options.failFast ? { retryFirstConnect: false, connectTimeoutMs: FAIL_FAST_TIMEOUT_MS } : {}),
      ...(watch ? { watch } : {}),
    });
    this.current = client;
    this.currentServer = address;
    client.on('state', (s) => {
      if (this.current === client) this.didChangeState.fire(s);
    });
    client.on('message', () => this.saveBookmarkSoon(address, client));
    client.on('welcome', () => this.saveBookmarkSoon(address, client));
    // In with an invite: the relay gave the team secret, kept for this relay only.
    let secretStored: Promise<void> | undefined;
    client.on('secret', (given) => {
      this.logger.info('the relay accepted the invite and gave the team secret; stored in the keychain', { server: address });
      secretStored = this.secrets.setTeamSecret(given, address);
    });
    // Notices that answer nothing the user is waiting on (a cut watch set, say): logged; the one
    // that changes what the Peers view can show is said once a window (it recurs on every reconnect).
    client.on('relay-error', (error) => {
      this.logger.warn('the relay reported a problem', { code: error.code, message: error.message });
      if (error.code === ErrorCode.WatchLimit && this.current === client && !this.toldWatchLimit) {
        this.toldWatchLimit = true;
        void showWarningMessage(inert`Team Messenger: ${error.message}.`);
      }
    });
    this.didCreate.fire(client);
    try {
      await client.connect();
    } catch (err) {
      if (this.current === client && err instanceof TeamMessengerError) this.didFail.fire(err);
      throw err;
    }
    // Only now that it worked: what was given is kept for the next start.
    if (options.secret && !secretStored) secretStored = this.secrets.setTeamSecret(options.secret, address);
    await secretStored;
    if (options.fingerprint && client.relayFingerprint) await this.trust.pin(address, client.relayFingerprint);
    if (!options.pin) await rememberRelay(this.saved, address);
  }

  async disconnect(): Promise<void> {
    const client = this.current;
    if (!client) return;
    this.flushBookmark();
    this.current = undefined;
    this.currentServer = '';
    await client.close();
    this.didChangeState.fire('closed');
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
