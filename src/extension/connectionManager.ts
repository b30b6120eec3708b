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
import { BOOKMARK, bookmarkKey, loadBookmark } from './savedRelays';
import { Secrets } from './secrets';
import { readSettings } from './settings';

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

  /**
   * Connects to `server` (default: the setting). Resolves when connected; rejects with the
   * reason when the relay refuses (wrong secret) or the address is wrong. Unreachable relays
   * are retried in the background.
   */
  async connect(server?: string, options: { pin?: string } = {}): Promise<void> {
    const settings = readSettings();
    const address = (server ?? settings.server).trim();
    if (!address) throw new Error('No relay address is set. Run "Team Messenger: Connect to Relay…" and enter host:port.');
    const { host, port } = parseHostPort(address, DEFAULT_PORT);
    await this.disconnect();
    // This window's own relay: its certificate is known, no question to ask.
    if (options.pin) await this.trust.pin(address, options.pin);
    const tls = settings.plainTcp ? undefined : this.trust.tlsFor(address, readCa(settings.tlsCaFile));
    if (!tls) this.logger.warn('connecting without TLS (teamMessenger.plainTcp is on)', { server: address });
    const identity = await this.secrets.identity();
    const watch = this.watchFor?.(identity.clientId);
    const client = new TeamClient({
      host,
      port,
      name: settings.displayName,
      identity,
      secret: await this.secrets.teamSecret(),
      bookmark: loadBookmark(this.saved, address, identity.clientId),
      logger: this.logger,
      tls: tls ?? false,
      ...(watch ? { watch } : {}),
    });
    this.current = client;
    this.currentServer = address;
    client.on('state', (s) => {
      if (this.current === client) this.didChangeState.fire(s);
    });
    client.on('message', () => this.saveBookmarkSoon(address, client));
    client.on('welcome', () => this.saveBookmarkSoon(address, client));
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
