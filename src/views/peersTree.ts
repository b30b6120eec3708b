import * as vscode from 'vscode';
import { Messenger } from '../extension/messenger';
import { inert } from './inertText';
import { badgeFor, buildPeersView, PeerNode, PeersViewNode } from './peersModel';
import { createTreeItem, createTreeView, SafeTreeView } from './safeWindow';

const STATUS_ICON: Record<PeerNode['status'], { icon: string; color?: string }> = {
  online: { icon: 'account', color: 'charts.green' },
  busy: { icon: 'account', color: 'charts.red' },
  away: { icon: 'account', color: 'charts.yellow' },
  offline: { icon: 'account', color: 'disabledForeground' },
};

/**
 * The Peers view: Everyone, then who is online, then who was here before (greyed); on a big
 * relay, the watched people and a row to find anyone else. A thin adapter over peersModel.ts;
 * clicking a row opens that conversation in the chat panel.
 */
export class PeersTree implements vscode.TreeDataProvider<PeersViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: SafeTreeView<PeersViewNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshQueued = false;

  constructor(private readonly messenger: Messenger) {
    this.view = createTreeView('teamMessenger.peers', { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(
      this.view,
      this.changed,
      messenger.onRosterChanged(() => this.refresh()),
      messenger.onStoreChanged(() => this.refresh()),
    );
  }

  getTreeItem(node: PeersViewNode): vscode.TreeItem {
    if (node.kind === 'find') {
      return createTreeItem(
        { label: node.label, tooltip: node.tooltip },
        {
          id: 'findPeer',
          iconPath: new vscode.ThemeIcon('search'),
          contextValue: 'findPeer',
          command: { command: 'teamMessenger.findPeer', title: 'Find Peer…' },
        },
      );
    }
    return this.peerItem(node);
  }

  private peerItem(node: PeerNode): vscode.TreeItem {
    const unread = node.unread > 0 ? inert`${node.unread} unread` : undefined;
    const item = createTreeItem(
      {
        label: node.label,
        description: unread ? inert`${node.description} · ${unread}` : node.description,
        tooltip: node.tooltip,
        accessibilityLabel: inert`${node.label}, ${node.status}${unread ? inert`, ${unread}` : ''}`,
      },
      { id: node.conversationId },
    );
    if (node.kind === 'everyone') {
      item.iconPath = new vscode.ThemeIcon('organization');
      item.contextValue = 'everyone';
    } else {
      const style = STATUS_ICON[node.status];
      item.iconPath = new vscode.ThemeIcon(node.unread > 0 ? 'comment-unresolved' : style.icon, style.color ? new vscode.ThemeColor(style.color) : undefined);
      item.contextValue = node.status === 'offline' ? 'peer.offline' : 'peer.online';
    }
    item.command = { command: 'teamMessenger.openConversation', title: 'Open Conversation', arguments: [node.conversationId] };
    return item;
  }

  getChildren(node?: PeersViewNode): PeersViewNode[] {
    if (node) return [];
    const client = this.messenger.client;
    if (!client || client.state === 'closed') return [];
    const store = this.messenger.store;
    return buildPeersView({
      online: client.peers.values(),
      known: client.known.values(),
      selfId: client.clientId,
      unreadByConversation: (id) => store.unreadOf(id),
      rttByClient: this.messenger.rtt,
      presence: { mode: client.presenceMode, online: client.onlineCount },
      watched: client.watched,
    });
  }

  /** Coalesced: a burst of joins redraws once. */
  refresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    setTimeout(() => {
      this.refreshQueued = false;
      this.changed.fire();
      this.view.badge = badgeFor(this.messenger.store.unreadTotal);
    }, 16);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
