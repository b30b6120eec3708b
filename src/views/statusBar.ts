import * as vscode from 'vscode';
import type { ConnectionHealth } from '../model/connectionFailure';
import { describeConnection } from '../model/connectionText';
import { Disposable, Event } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { inert } from '../model/inertText';
import { describeFocus } from '../model/notificationPolicyText';
import type { QuietReason } from '../model/notificationPolicy';
import type { PeerStatus } from '../net/protocol/messages';
import { createStatusBarItem } from './safeWindow';

/** The relay this window hosts, as the status bar needs it (the extension's LocalRelay). */
export interface HostingSource {
  readonly hosting: { port: number; addresses: string[] } | undefined;
  readonly onDidChange: Event<unknown>;
}

/** The status bar item: connection state at a glance; a click opens the main actions. */
export class StatusBar extends Disposable {
  private readonly item = this._register(createStatusBarItem('teamMessenger.status', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly messenger: MessengerModel,
    private readonly relay: HostingSource,
    private readonly health: ConnectionHealth,
  ) {
    super();
    this.item.name = 'Team Messenger';
    this.item.command = 'teamMessenger.showActions';
    this._register(messenger.onRosterChanged(() => this.update()));
    this._register(messenger.onStoreChanged(() => this.update()));
    this._register(messenger.onConnectionChanged(() => this.update()));
    this._register(relay.onDidChange(() => this.update()));
    this._register(health.onDidChangeHealth(() => this.update()));
    this.update();
    this.item.show();
  }

  update(): void {
    const state = this.messenger.connectionState;
    const texts = describeConnection(this.relay.hosting && state === 'connected' ? 'hosting' : state, {
      server: this.messenger.server,
      hosting: this.relay.hosting ? { port: this.relay.hosting.port, addresses: this.relay.hosting.addresses } : undefined,
      online: this.messenger.othersOnline(),
      failure: this.health.failure,
      disconnectedFrom: this.health.disconnectedFrom,
      pending: this.messenger.pendingCount,
      unread: this.messenger.store.unreadTotal,
    });
    this.item.text = texts.statusBar.text;
    this.item.tooltip = texts.statusBar.tooltip;
    void vscode.commands.executeCommand('setContext', 'teamMessenger.state', state);
    void vscode.commands.executeCommand('setContext', 'teamMessenger.failing', this.health.failure !== undefined && state !== 'connected');
    void vscode.commands.executeCommand('setContext', 'teamMessenger.hosting', this.relay.hosting !== undefined);
    void vscode.commands.executeCommand('setContext', 'teamMessenger.presence', this.messenger.roster().presence.mode);
  }
}

/** The user's status, quiet mode and held notices, as the focus item shows them. */
export interface FocusSource {
  readonly status: { readonly current: PeerStatus; readonly automaticAway: boolean; readonly onDidChange: Event<PeerStatus> };
  readonly quiet: { readonly reason: QuietReason | undefined; readonly onDidChange: Event<QuietReason | undefined> };
  readonly held: { readonly heldCount: number; readonly onHeldChanged: Event<number> };
}

/**
 * The user's status at a glance beside the connection item: a bell when Available, the status's
 * name otherwise, and "quiet" with the number of held notifications while they wait for the
 * summary. A click sets the status.
 */
export class FocusStatusItem extends Disposable {
  private readonly item = this._register(createStatusBarItem('teamMessenger.focus', vscode.StatusBarAlignment.Left, 49));

  constructor(private readonly source: FocusSource) {
    super();
    this.item.name = 'Team Messenger Status';
    this.item.command = 'teamMessenger.setStatus';
    this._register(source.status.onDidChange(() => this.update()));
    this._register(source.quiet.onDidChange(() => this.update()));
    this._register(source.held.onHeldChanged(() => this.update()));
    this.update();
    this.item.show();
  }

  update(): void {
    const { text, tooltip } = describeFocus(this.source.status.current, this.source.status.automaticAway, this.source.quiet.reason, this.source.held.heldCount);
    this.item.text = text;
    this.item.tooltip = inert(tooltip, { multiline: true, maxChars: 600 });
  }
}
