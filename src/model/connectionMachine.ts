import type { ClientState } from '../net/client/clientTypes';
import type { TeamMessengerError } from '../net/protocol/errors';
import { ConnectionFailure, describeFailure } from './connectionFailure';
import { Disposable, Emitter } from './lifecycle';

/**
 * One connection per window, whoever asks: Connect…, joining, a settings change, Retry and
 * Disconnect all go through this machine. Requests are served one at a time, the newest wins: an
 * older request still waiting is dropped, an older client is closed (its close awaited) before
 * the new one dials. Before, a settings change and the command each made a client, and the relay
 * kept both sessions. Pure, no VS Code: the ConnectionManager gives it the ports.
 */

/** What the machine needs of a client (TeamClient has it). */
export interface MachineClient {
  readonly state: ClientState;
  /** Starts dialing; resolves at the first welcome, rejects when the client gives up. */
  connect(): Promise<unknown>;
  close(): Promise<void>;
  on(event: 'state', listener: (state: ClientState) => void): unknown;
  on(event: 'disconnected', listener: (error: TeamMessengerError) => void): unknown;
}

/** What a request says about who reports its failures. */
export interface MachineOptions {
  /** A command awaits this request and tells the user how it ended: a final failure is its to say. */
  interactive?: boolean;
  /** Gives up at the first failure (joining tries the next address, and says why it failed). */
  failFast?: boolean;
}

export interface MachinePorts<O extends MachineOptions, C extends MachineClient> {
  /** A client for `target`, not dialing yet (settings, secrets, TLS). Throws for a bad address. */
  create(target: string, options: O): Promise<C>;
  /** `client` is the window's from now on (listeners, "a new client" to the model). */
  adopt(client: C, target: string): void;
  /** The relay at `target` let `client` in: keep what was given (the setting, a secret, a pin). */
  accepted(client: C, target: string, options: O): Promise<void>;
  /** `client` is no longer the window's: it is being closed. */
  released(client: C, target: string): void;
  /** Tell the user (once per target) why `failure.server` cannot be used; `retrying`: the client keeps trying. */
  notify(failure: ConnectionFailure, retrying: boolean): void;
}

/** A request was replaced by a newer one before it ended: nothing to tell anybody. */
export class Superseded extends Error {
  readonly superseded = true;

  constructor(target: string) {
    super(`the connection to ${target} was replaced by a newer request`);
    this.name = 'Superseded';
  }
}

export function isSuperseded(err: unknown): err is Superseded {
  return err instanceof Superseded;
}

interface Live<O, C> {
  readonly client: C;
  readonly target: string;
  readonly options: O;
  /** The relay let this client in at least once. */
  welcomed: boolean;
}

export class ConnectionMachine<O extends MachineOptions, C extends MachineClient> extends Disposable {
  /** The newest request's number: an older one that sees another number is superseded. */
  private newest = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private live: Live<O, C> | undefined;
  private wanted: { target: string; options: O } | undefined;
  private failureValue: ConnectionFailure | undefined;
  private leftFrom = '';
  /** The target the user was last told about: later retries stay quiet. */
  private notifiedTarget: string | undefined;
  private readonly changed = this._register(new Emitter<void>());
  /** The failure, the client or the target changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly ports: MachinePorts<O, C>) {
    super();
    // The window goes: the client says goodbye now, not after the queue.
    this._register({ dispose: () => this.closeNow() });
  }

  get client(): C | undefined {
    return this.live?.client;
  }

  /** The relay the current client talks to, or ''. */
  get server(): string {
    return this.live?.target ?? '';
  }

  /** The relay the newest request wants (also while it dials, or after it failed for good). */
  get target(): string | undefined {
    return this.wanted?.target;
  }

  get failure(): ConnectionFailure | undefined {
    return this.failureValue;
  }

  /** The relay the user left with Disconnect, until another request. */
  get disconnectedFrom(): string {
    return this.leftFrom;
  }

  /**
   * Connects to `target`, replacing whatever this window had. Resolves once the relay let the
   * client in (after `accepted`); rejects with `Superseded` when a newer request came first, or
   * with the reason when the client gave up (a wrong secret; any failure with `failFast`).
   * An unreachable relay is retried in the background: the promise waits.
   */
  async connect(target: string, options: O): Promise<void> {
    const ticket = this.request({ target, options });
    // Asked for just now: a failure is news again.
    if (options.interactive || options.failFast) this.notifiedTarget = undefined;
    const { live, welcomed } = await this.serially(async () => {
      await this.release();
      if (ticket !== this.newest) throw new Superseded(target);
      let client: C;
      try {
        client = await this.ports.create(target, options);
      } catch (err) {
        if (ticket === this.newest) this.failed(target, options, err as Error, false);
        throw err;
      }
      if (ticket !== this.newest) {
        await client.close();
        throw new Superseded(target);
      }
      const entry: Live<O, C> = { client, target, options, welcomed: false };
      this.live = entry;
      client.on('state', (state) => this.onState(entry, state));
      client.on('disconnected', (error) => this.onDisconnected(entry, error));
      this.ports.adopt(client, target);
      this.changed.fire();
      // Dialing starts inside the queue: one request at a time has a socket.
      const first = client.connect();
      first.catch(() => undefined);
      return { live: entry, welcomed: first };
    });
    try {
      await welcomed;
    } catch (err) {
      if (this.live !== live) throw new Superseded(target);
      throw err;
    }
    if (this.live !== live) throw new Superseded(target);
    await this.ports.accepted(live.client, target, options);
  }

  /** Leaves the relay; `byUser`: Disconnect, so the views say where from. */
  async disconnect(byUser = false): Promise<void> {
    const from = this.wanted?.target ?? '';
    this.request(undefined);
    if (byUser) this.leftFrom = from;
    await this.serially(() => this.release());
  }

  /** Tries the wanted relay again now, with a fresh client (Retry; new display name or TLS settings). */
  retry(): Promise<void> | undefined {
    const wanted = this.wanted;
    if (!wanted) return undefined;
    this.notifiedTarget = undefined;
    // Nobody awaits a retry: its failures are the machine's to tell.
    return this.connect(wanted.target, { ...wanted.options, interactive: false, failFast: false });
  }

  /**
   * The settings changed: follows a new `server`, ignored when it is the relay already wanted
   * (a command that just connected wrote it); `reconnect` when what the client logs in with changed.
   * Nothing while no relay is wanted (after Disconnect).
   */
  settingsChanged(server: string | undefined, reconnect: boolean, options: O): Promise<void> | undefined {
    if (!this.wanted) return undefined;
    if (server && server !== this.wanted.target) return this.connect(server, options);
    return reconnect ? this.retry() : undefined;
  }

  private request(wanted: { target: string; options: O } | undefined): number {
    this.wanted = wanted;
    this.failureValue = undefined;
    this.leftFrom = '';
    this.changed.fire();
    return ++this.newest;
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the current client, if any, and waits until it is gone. */
  private async release(): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.live = undefined;
    this.ports.released(live.client, live.target);
    this.changed.fire();
    await live.client.close();
  }

  private closeNow(): void {
    this.newest++;
    this.wanted = undefined;
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    this.ports.released(live.client, live.target);
    void live.client.close();
  }

  private onState(live: Live<O, C>, state: ClientState): void {
    if (this.live !== live || state !== 'connected') return;
    live.welcomed = true;
    this.notifiedTarget = undefined;
    if (this.failureValue) {
      this.failureValue = undefined;
      this.changed.fire();
    }
  }

  private onDisconnected(live: Live<O, C>, error: TeamMessengerError): void {
    if (this.live !== live) return;
    // The client decides right after this event whether it tries again (its state says so).
    queueMicrotask(() => {
      if (this.live === live) this.failed(live.target, live.options, error, live.client.state === 'reconnecting', live.welcomed);
    });
  }

  private failed(target: string, options: O, error: Error, retrying: boolean, wasWelcomed = false): void {
    const failure = describeFailure(error, target);
    this.failureValue = failure;
    this.changed.fire();
    // A command awaiting the outcome shows a final failure itself; a connection that worked and
    // dropped is retried quietly (the status bar says why); otherwise once per target.
    if (!retrying && (options.interactive || options.failFast)) return;
    if (retrying && wasWelcomed) return;
    if (this.notifiedTarget === target) return;
    this.notifiedTarget = target;
    this.ports.notify(failure, retrying);
  }
}
