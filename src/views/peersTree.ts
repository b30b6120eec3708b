import * as vscode from 'vscode';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { badgeFor, buildPeersView, PeerNode, PeersViewNode } from '../model/peersModel';
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
export class PeersTree extends Disposable implements vscode.TreeDataProvider<PeersViewNode> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: SafeTreeView<PeersViewNode>;
  private refreshQueued = false;

  constructor(private readonly messenger: MessengerModel) {
    super();
    this.view = this._register(createTreeView('teamMessenger.peers', { treeDataProvider: this, showCollapseAll: false }));
    this._register(messenger.onRosterChanged(() => this.refresh()));
    this._register(messenger.onStoreChanged(() => this.refresh()));
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
    const roster = this.messenger.roster();
    if (roster.state === 'idle' || roster.state === 'closed') return [];
    const store = this.messenger.store;
    return buildPeersView({
      online: roster.online,
      known: roster.known,
      selfId: roster.selfId,
      unreadByConversation: (id) => store.unreadOf(id),
      rttByClient: this.messenger.rtt,
      presence: roster.presence,
      watched: roster.watched,
    });
  }

  /** Coalesced: a burst of joins redraws once. */
  refresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    setTimeout(() => {
      this.refreshQueued = false;
      if (this.disposed) return;
      this.changed.fire();
      this.view.badge = badgeFor(this.messenger.store.unreadTotal);
    }, 16);
  }
}
