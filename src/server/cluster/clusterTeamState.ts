import type { Kvm } from '@nats-io/kv';
import type { Logger } from '../../net/logger';
import { announceChannelChange } from '../channelRequests';
import { Invites } from '../invites';
import { announceReadMarker } from '../readState';
import type { RelayContext } from '../relayContext';
import { KvInvites } from './kvInvites';
import { KvTeamStore } from './kvTeamStore';

/**
 * What a relay of a cluster keeps in the engine instead of its own memory or folder: the team
 * store (channels, read state, message changes; kvTeamStore.ts) and the invites (kvInvites.ts).
 * Made with the relay, opened once the engine answers, before the relay listens.
 */
export class ClusterTeamState {
  readonly store: KvTeamStore;
  readonly invites: Invites;
  private readonly inviteMirror: KvInvites;

  constructor(logger: Logger) {
    this.store = new KvTeamStore(logger);
    this.inviteMirror = new KvInvites(logger);
    this.invites = new Invites(undefined, logger, this.inviteMirror);
    this.inviteMirror.bind(this.invites);
  }

  /** What other relays change reaches this relay's people as if made here: `channel` frames for
   *  a channel, `read-state` for a marker (the reader's machines, "Seen by"). */
  tellRemoteChanges(ctx: RelayContext): void {
    this.store.onRemoteChange((change) => {
      if (change.kind === 'channel') announceChannelChange(ctx, change);
      else announceReadMarker(ctx, change.clientId, change.conv, change.seq);
    });
  }

  async open(kvm: Kvm, replicas?: number): Promise<void> {
    await Promise.all([this.store.open(kvm, { replicas }), this.inviteMirror.open(kvm, { replicas })]);
  }

  /** Before the engine connection closes: what is still on its way gets `timeoutMs` to land.
   *  The store itself is closed with the relay's StoreWrites. */
  async close(timeoutMs: number): Promise<void> {
    await Promise.all([this.store.drain(timeoutMs), this.inviteMirror.drain(timeoutMs)]);
    this.inviteMirror.close();
  }
}
