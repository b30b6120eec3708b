import type * as vscode from 'vscode';
import type { ConnectionView, ToWebview } from './chatProtocol';
import { messageView } from './chatViews';
import type { ConversationId } from '../model/conversationTypes';
import type { FileCards } from '../model/fileCards';
import type { MessengerModel } from '../model/messengerModel';

/** What the chat panel lets the model's events do to it. */
export interface FollowingPanel {
  selected(): ConversationId;
  /** The panel is visible and active (its conversation is being read). */
  visible(): boolean;
  post(message: ToWebview): void;
  sendSelected(): void;
  updateSeen(): void;
  queueList(): void;
  updateComposer(): void;
  /** The selected channel's header (name, topic, members, archived) differs from the one shown. */
  headerChanged(): boolean;
  updateDirectory(): void;
  connectionView(): ConnectionView;
}

/**
 * The chat panel's subscriptions to the model: each change goes to the webview as the smallest
 * message that brings it up to date (one message, the list, the header, the connection).
 */
export function followModel(messenger: MessengerModel, cards: FileCards, panel: FollowingPanel): vscode.Disposable[] {
  return [
    messenger.onStoreChanged((e) => {
      const selected = e.conversationId === panel.selected();
      // One message changed: send just it. Anything broader (a reset, a new store): the whole view.
      if (selected && e.message) {
        // An offer's record is shown as its file card, not a second time.
        if (!cards.recordsMessage(panel.selected(), e.message.id)) {
          panel.post({
            type: 'message',
            conversationId: panel.selected(),
            message: messageView(e.message, messenger),
            ...(e.previousId ? { previousId: e.previousId } : {}),
          });
        }
        if (e.kind === 'message' && panel.visible()) messenger.markRead(panel.selected());
      } else if (e.kind === 'reset' && (e.conversationId === undefined || selected)) panel.sendSelected();
      if (selected || e.conversationId === undefined) panel.updateSeen();
      panel.queueList();
      // A new store (the first connection) may turn "cannot send" into "queue while offline".
      if (e.conversationId === undefined) panel.updateComposer();
    }),
    messenger.onMessageChanged((e) => {
      if (e.conversationId === panel.selected() && !cards.recordsMessage(e.conversationId, e.message.id)) {
        panel.post({ type: 'updated', conversationId: e.conversationId, message: messageView(e.message, messenger) });
      }
    }),
    messenger.onChannelsChanged(() => {
      panel.queueList();
      panel.updateDirectory();
      // The header (name, topic, members, archived) changed: the view again.
      if (panel.headerChanged()) panel.sendSelected();
    }),
    messenger.onRosterChanged(() => {
      panel.queueList();
      panel.updateDirectory();
      panel.post({ type: 'connection', connection: panel.connectionView() });
      panel.updateComposer();
    }),
    messenger.onConnectionChanged((state) => {
      panel.post({ type: 'connection', connection: panel.connectionView() });
      panel.updateComposer();
      // Connected again: the relay's older history can be asked for again (the view says so).
      if (state === 'connected') panel.sendSelected();
    }),
    messenger.onTyping((t) => panel.post({ type: 'typing', conversationId: t.conversationId, names: t.names })),
    cards.onDidChange((card) => {
      if (card.conversationId === panel.selected()) panel.post({ type: 'file-card', card });
    }),
  ];
}
