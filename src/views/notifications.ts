import * as vscode from 'vscode';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { describeCodeRange } from '../model/codeLines';
import { ConversationId } from '../model/conversationTypes';
import { showInformationMessage, showWarningMessage } from './safeWindow';

/** New messages the user is not looking at, as notifications with Reply. */
export class MessageNotifications extends Disposable {
  constructor(model: MessengerModel, reveal: (conversationId: ConversationId) => void) {
    super();
    this._register(
      model.onNotice(({ conversationId, message }) => {
        // Peer text, in a notification that renders links: through `inert`, whole and on one line.
        const preview = message.code ? inert`shared ${describeCodeRange(message.code)}` : inert(message.text, { maxChars: 140 });
        void showInformationMessage(inert`${message.fromName}: ${preview}`, 'Reply').then((choice) => {
          if (choice === 'Reply') reveal(conversationId);
        });
      }),
    );
  }
}

/** Said when something needs the relay and there is none: offers to connect. */
export function warnNotConnected(): void {
  void showWarningMessage('Team Messenger is not connected to a relay.', 'Connect…').then((choice) => {
    if (choice) void vscode.commands.executeCommand('teamMessenger.connect');
  });
}
