import * as vscode from 'vscode';
import type { Logger } from '../net/logger';
import { AttachmentExchange, ExchangeSource } from '../model/attachmentExchange';
import { AttachmentStore } from '../model/attachmentStore';
import { Drafts } from '../model/drafts';
import type { FileCards } from '../model/fileCards';
import type { MessengerModel } from '../model/messengerModel';
import type { AttachmentsContext } from '../views/attachmentsPanel';

export interface AttachmentsWiring extends vscode.Disposable {
  readonly context: AttachmentsContext;
}

/**
 * The chat's attachments for this window: the store of image bytes in the extension's global
 * storage (shared by the windows, bounded), the exchange that answers readers' requests and
 * fetches others' images, and the drafts kept in the workspace's state.
 */
export function wireAttachments(deps: {
  connections: ExchangeSource;
  messenger: MessengerModel;
  cards: FileCards;
  globalStorage: vscode.Uri;
  workspaceState: vscode.Memento;
  logger: Logger;
}): AttachmentsWiring {
  const { messenger } = deps;
  const store = new AttachmentStore(vscode.Uri.joinPath(deps.globalStorage, 'attachments').fsPath);
  const exchange = new AttachmentExchange(
    deps.connections,
    {
      get selfId() {
        return messenger.selfId;
      },
      heldMessage: (conversationId, messageId) => messenger.store.message(conversationId, messageId),
      // An older message the store no longer holds: the relay's copy (it says what is attached).
      findMessage: async (conversationId, messageId) =>
        messenger.store.message(conversationId, messageId) ??
        (await messenger.loadHistory(conversationId, { around: messageId, limit: 1 }).then(
          (page) => page.messages.find((m) => m.id === messageId),
          () => undefined,
        )),
    },
    store,
    deps.logger,
  );
  const drafts = new Drafts(deps.workspaceState, deps.logger);
  return {
    context: { messenger, cards: deps.cards, store, exchange, drafts },
    dispose: () => exchange.dispose(),
  };
}
