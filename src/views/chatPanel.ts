import * as vscode from 'vscode';
import { FromWebview, ConversationSummary, ConversationView, ToWebview } from './chatProtocol';
import { chatHtml, makeNonce } from './chatHtml';
import { describeConnection } from '../model/connectionText';
import { conversationKind, EVERYONE, isConversationId, membersOf } from '../model/conversationStore';
import { ConversationId } from '../model/conversationTypes';
import { Disposable } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { warnNotConnected } from './notifications';
import { createWebviewPanel } from './safeWindow';

const VIEW_TYPE = 'teamMessenger.chat';
/** Messages sent to the webview per conversation at first; "Load older" adds this many more. */
const PAGE = 200;

/**
 * The chat panel: one webview in the editor area, over the Messenger's store. Everything the
 * webview shows arrives as typed messages (chatProtocol.ts); everything it asks for is parsed
 * before it is acted on. Hidden panels keep nothing alive: when shown again the webview asks
 * for its state with `ready` and gets it in one `init`.
 */
export class ChatPanel extends Disposable {
  private static current: ChatPanel | undefined;
  private selected: ConversationId = EVERYONE;
  private readonly limits = new Map<ConversationId, number>();
  /** The webview's script is running and has said `ready` (false again once the panel is hidden). */
  private ready = false;
  /** Focus the composer once the webview can take it (it may still be loading, or be re-created). */
  private focusWanted = false;
  private listQueued = false;

  /** Opens the panel (or brings it forward) on `conversationId`. */
  static show(extensionUri: vscode.Uri, messenger: MessengerModel, conversationId?: ConversationId, focusComposer = false): ChatPanel {
    let panel = ChatPanel.current;
    if (!panel) {
      const webviewPanel = createWebviewPanel(VIEW_TYPE, 'Team Messenger', vscode.ViewColumn.Active, ChatPanel.options(extensionUri));
      panel = new ChatPanel(webviewPanel, extensionUri, messenger, conversationId);
    } else {
      panel.panel.reveal(undefined, false);
    }
    if (conversationId) panel.select(conversationId);
    if (focusComposer) panel.focusComposer();
    return panel;
  }

  /** Keeps the panel across window reloads. */
  static registerSerializer(extensionUri: vscode.Uri, messenger: MessengerModel): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state: unknown) => {
        webviewPanel.webview.options = ChatPanel.options(extensionUri);
        const saved = typeof state === 'object' && state !== null && 'selectedId' in state ? state.selectedId : undefined;
        new ChatPanel(webviewPanel, extensionUri, messenger, isConversationId(saved) ? saved : undefined);
      },
    });
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only the built assets: nothing else of the extension or the disk can be loaded.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      enableFindWidget: true,
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly messenger: MessengerModel,
    initial: ConversationId | undefined,
  ) {
    super();
    ChatPanel.current = this;
    if (initial) this.selected = initial;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'team-messenger.svg');
    const webview = panel.webview;
    const asset = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
    webview.html = chatHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('dist', 'webview.js'),
      styleUri: asset('media', 'chat.css'),
      codiconsUri: asset('dist', 'codicons', 'codicon.css'),
    });
    for (const subscription of [
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden panel's webview is torn down (no retainContextWhenHidden): messages would be lost.
        // Shown again, its page starts over and says `ready`, and `init` brings it up to date.
        if (!panel.visible) this.ready = false;
        this.updateActive();
      }),
      panel.onDidDispose(() => this.dispose()),
      messenger.onStoreChanged((e) => {
        // One message changed: send just it. Anything broader (a reset, a new store): the whole view.
        if (e.conversationId === this.selected && e.message) {
          this.post({ type: 'message', conversationId: this.selected, message: e.message, ...(e.previousId ? { previousId: e.previousId } : {}) });
        } else if (e.conversationId === undefined || e.conversationId === this.selected) this.sendSelected();
        this.queueList();
      }),
      messenger.onRosterChanged(() => {
        this.queueList();
        this.post({ type: 'connection', connection: this.connectionView() });
      }),
      messenger.onTyping((t) => this.post({ type: 'typing', conversationId: t.conversationId, names: t.names })),
    ]) {
      this._register(subscription);
    }
    this.updateActive();
  }

  select(conversationId: ConversationId): void {
    this.selected = conversationId;
    this.messenger.store.ensure(conversationId);
    this.updateActive();
    this.sendSelected();
  }

  override dispose(): void {
    if (this.disposed) return;
    if (ChatPanel.current === this) ChatPanel.current = undefined;
    this.messenger.visibleConversation = undefined;
    this.messenger.store.setActive(undefined);
    super.dispose();
    this.panel.dispose();
  }

  // ---------------------------------------------------------------- from the webview

  private onMessage(raw: unknown): void {
    const parsed = FromWebview.safeParse(raw);
    if (!parsed.success) return; // a webview bug or tampering: ignored, never trusted
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post(this.init());
        if (this.focusWanted) this.focusComposer();
        return;
      case 'select':
        if (isConversationId(message.conversationId)) this.select(message.conversationId);
        return;
      case 'send':
        if (isConversationId(message.conversationId) && message.text.trim() && !this.messenger.send(message.conversationId, message.text)) warnNotConnected();
        return;
      case 'typing':
        if (isConversationId(message.conversationId)) this.messenger.sendTyping(message.conversationId);
        return;
      case 'retry':
        this.messenger.retry(message.conversationId, message.messageId);
        return;
      case 'open-code': {
        const found = this.messenger.store.get(message.conversationId)?.messages.find((m) => m.id === message.messageId);
        if (found?.code) void vscode.commands.executeCommand('teamMessenger.openSharedCode', found.code, found.text);
        return;
      }
      case 'new-group':
        void vscode.commands.executeCommand('teamMessenger.newGroupConversation');
        return;
      case 'load-older':
        this.limits.set(message.conversationId, (this.limits.get(message.conversationId) ?? PAGE) + PAGE);
        if (message.conversationId === this.selected) this.sendSelected();
        return;
    }
  }

  // ---------------------------------------------------------------- to the webview

  /** Now if the webview is up, else right after its next `ready` (a new or re-shown panel is still loading). */
  private focusComposer(): void {
    this.focusWanted = !(this.ready && this.panel.visible);
    if (!this.focusWanted) this.post({ type: 'focus-composer' });
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private init(): ToWebview {
    return {
      type: 'init',
      self: { clientId: this.messenger.selfId, name: this.messenger.selfName },
      connection: this.connectionView(),
      conversations: this.summaries(),
      selected: this.view(this.selected),
    };
  }

  private sendSelected(): void {
    const view = this.view(this.selected);
    if (view) this.post({ type: 'conversation', conversation: view });
  }

  private queueList(): void {
    if (this.listQueued) return;
    this.listQueued = true;
    setTimeout(() => {
      this.listQueued = false;
      this.post({ type: 'conversations', conversations: this.summaries() });
    }, 30);
  }

  private view(id: ConversationId): ConversationView | undefined {
    const store = this.messenger.store;
    const page = store.page(id, this.limits.get(id) ?? PAGE);
    return {
      id,
      title: this.title(id),
      kind: conversationKind(id),
      memberNames: membersOf(id).map((m) => this.messenger.nameOf(m)),
      messages: page.messages,
      hasOlder: page.hasOlder,
    };
  }

  /** Everyone, every online peer (a conversation or not), then every stored conversation. */
  private summaries(): ConversationSummary[] {
    const store = this.messenger.store;
    const out = new Map<ConversationId, ConversationSummary>();
    const add = (id: ConversationId) => {
      if (out.has(id)) return;
      const conversation = store.get(id);
      const last = conversation?.messages[conversation.messages.length - 1];
      const members = membersOf(id);
      out.set(id, {
        id,
        title: this.title(id),
        kind: conversationKind(id),
        online: id === EVERYONE ? true : members.some((m) => this.messenger.isOnline(m)),
        unread: store.unreadOf(id),
        lastText: last ? `${last.own ? 'You' : last.fromName}: ${last.code ? `shared ${last.code.path}` : last.text}`.slice(0, 200) : '',
        lastActivity: conversation?.lastActivity ?? 0,
      });
    };
    add(EVERYONE);
    const roster = this.messenger.roster();
    for (const peer of roster.online) if (peer.clientId !== roster.selfId) add(`peer:${peer.clientId}`);
    for (const conversation of store.conversations) add(conversation.id);
    const [everyone, ...rest] = [...out.values()];
    rest.sort((a, b) => b.lastActivity - a.lastActivity || a.title.localeCompare(b.title));
    return [everyone, ...rest];
  }

  private title(id: ConversationId): string {
    if (id === EVERYONE) return 'Everyone';
    return membersOf(id)
      .map((m) => this.messenger.nameOf(m))
      .join(', ');
  }

  private connectionView() {
    return describeConnection(this.messenger.connectionState, { server: this.messenger.server, online: this.messenger.othersOnline() }).view;
  }

  /** Unread stays at zero for the conversation on screen; notifications skip it. */
  private updateActive(): void {
    const visible = this.panel.visible && this.panel.active;
    this.messenger.visibleConversation = visible ? this.selected : undefined;
    this.messenger.store.setActive(visible ? this.selected : undefined);
    if (visible) this.messenger.store.markRead(this.selected);
  }
}
