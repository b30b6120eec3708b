import * as vscode from 'vscode';
import { LocalRelay } from '../extension/localRelay';
import { Messenger } from '../extension/messenger';
import { describeConnection } from './connectionText';
import { createStatusBarItem } from './safeWindow';

/** The status bar item: connection state at a glance; a click opens the main actions. */
export class StatusBar implements vscode.Disposable {
  private readonly item = createStatusBarItem('teamMessenger.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];
  private lastError: string | undefined;

  constructor(
    private readonly messenger: Messenger,
    private readonly relay: LocalRelay,
  ) {
    this.item.name = 'Team Messenger';
    this.item.command = 'teamMessenger.showActions';
    this.disposables.push(
      this.item,
      messenger.onRosterChanged(() => this.update()),
      messenger.onStoreChanged(() => this.update()),
      messenger.connections.onDidChangeState(() => this.update()),
      messenger.connections.onDidFail((err) => {
        this.lastError = err.message;
        this.update();
      }),
      relay.onDidChange(() => this.update()),
    );
    this.update();
    this.item.show();
  }

  update(): void {
    const texts = describeConnection(this.phase(), {
      server: this.messenger.connections.server,
      hosting: this.relay.hosting ? { port: this.relay.hosting.port, addresses: this.relay.hosting.addresses } : undefined,
      online: this.onlineCount(),
      error: this.messenger.client?.state === 'connected' ? undefined : this.lastError,
      pending: this.messenger.client?.pending.length ?? 0,
      unread: this.messenger.store.unreadTotal,
    });
    this.item.text = texts.statusBar.text;
    this.item.tooltip = texts.statusBar.tooltip;
    const state = this.messenger.client?.state;
    void vscode.commands.executeCommand('setContext', 'teamMessenger.state', state ?? 'idle');
    void vscode.commands.executeCommand('setContext', 'teamMessenger.hosting', this.relay.hosting !== undefined);
    void vscode.commands.executeCommand('setContext', 'teamMessenger.presence', this.messenger.client?.presenceMode ?? 'full');
    if (state === 'connected') this.lastError = undefined;
  }

  private phase() {
    const state = this.messenger.client?.state ?? 'idle';
    return this.relay.hosting && state === 'connected' ? 'hosting' : state;
  }

  private onlineCount(): number {
    return this.messenger.othersOnline();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
