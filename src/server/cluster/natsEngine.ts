import * as crypto from 'node:crypto';
import { connect } from '@nats-io/transport-node';
// Type only: transport-node re-exports it from a subpath our module resolution cannot see (it would be `any`).
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../../net/logger';

/**
 * One relay's connection to the cluster's engine (NATS with JetStream): connects to any of the
 * servers given, reconnects forever, and says whether the engine can be reached right now, so
 * that sends fail fast and clearly instead of waiting out a timeout.
 */
export interface EngineConnectOptions {
  servers: string[];
  logger: Logger;
  /** Shown in the engine's monitoring (connz): which relay this is. */
  name?: string;
}

/** A dead engine connection is noticed within about two ping intervals. */
const PING_INTERVAL_MS = 5_000;
const RECONNECT_WAIT_MS = 500;

export class ClusterEngine {
  /** Random per relay process: a restarted relay is a new member (its old sessions are gone). */
  readonly relayId = crypto.randomBytes(6).toString('hex');
  private connected = true;
  private readonly listeners = new Set<(reachable: boolean) => void>();

  private constructor(
    readonly nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    void this.watchStatus();
  }

  /** Resolves once connected (it keeps trying while no server answers: a relay waits for its engine). */
  static async connect(options: EngineConnectOptions): Promise<ClusterEngine> {
    const nc: NatsConnection = await connect({
      servers: options.servers,
      name: options.name ?? 'team-messenger relay',
      maxReconnectAttempts: -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      waitOnFirstConnect: true,
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: 2,
    });
    options.logger.info('cluster engine connected', { server: nc.getServer() });
    return new ClusterEngine(nc, options.logger);
  }

  /** Whether the engine answers right now (false from a disconnect until the reconnect). */
  reachable(): boolean {
    return this.connected;
  }

  /** Told each time the engine becomes reachable or unreachable; returns the way to stop listening. */
  onStatus(listener: (reachable: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    // close(), not drain(): a relay stops after its sessions, and a drain would wait on an engine that may be gone.
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.changed(false);
      else if (status.type === 'reconnect') this.changed(true);
    }
  }

  private changed(reachable: boolean): void {
    if (this.connected === reachable) return;
    this.connected = reachable;
    if (reachable) this.logger.info('cluster engine reachable again', { server: this.nc.getServer() });
    else this.logger.warn('cluster engine unreachable; sends are refused until it is back');
    for (const listener of this.listeners) listener(reachable);
  }
}
