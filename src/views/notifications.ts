import * as vscode from 'vscode';
import { inert } from '../model/inertText';
import { Disposable, Event } from '../model/lifecycle';
import { describeCodeRange } from '../model/codeLines';
import { markdownOneLine } from '../model/text/markdownText';
import { ConversationId } from '../model/conversationTypes';
import type { ShownNotice } from '../model/notificationPolicyGate';
import type { HeldSummary } from '../model/notificationPolicySummary';
import { showInformationMessage, showWarningMessage } from './safeWindow';

/** The most of a message a notification shows. */
const NOTICE_CHARS = 140;

/** What the notifications hear from (the NoticeGate): notices let through, and summaries of held ones. */
export interface NoticeSource {
  readonly onShow: Event<ShownNotice>;
  readonly onSummary: Event<HeldSummary>;
}

/**
 * New messages the user is not looking at, as notifications with Reply, once the notification
 * policy let them through; an urgent one as a warning, so it stands out. What quiet mode, Busy or
 * Do Not Disturb held comes afterwards as one summary with Show.
 */
export class MessageNotifications extends Disposable {
  constructor(source: NoticeSource, reveal: (conversationId: ConversationId) => void) {
    super();
    this._register(
      source.onShow(({ conversationId, message }) => {
        // Peer text, in a notification that renders links: its markdown as the words it shows, then through `inert`, on one line.
        const preview = message.code
          ? inert`shared ${describeCodeRange(message.code)}`
          : inert(markdownOneLine(message.text, NOTICE_CHARS), { maxChars: NOTICE_CHARS });
        const shown = message.urgent
          ? showWarningMessage(inert`Urgent from ${message.fromName}: ${preview}`, 'Reply')
          : showInformationMessage(inert`${message.fromName}: ${preview}`, 'Reply');
        void shown.then((choice) => {
          if (choice === 'Reply') reveal(conversationId);
        });
      }),
    );
    this._register(
      source.onSummary((summary) => {
        void showInformationMessage(inert(summary.text, { maxChars: 400 }), 'Show').then((choice) => {
          if (choice === 'Show') reveal(summary.conversationId);
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
