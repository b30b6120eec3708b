import * as vscode from 'vscode';
import { ConversationId } from '../model/conversationTypes';
import { FileCards, isFinal } from '../model/fileCards';
import type { FileCard } from '../model/fileCardTypes';
import { inert, InertText } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { openPlace, revealLabel, revealPlace } from './fileActions';
import { pickPeers } from './peerPicker';
import { SafeProgress, showErrorMessage, showInformationMessage, showWarningMessage, withProgress } from './safeWindow';

/**
 * Files in notifications: "Send to Peer…" from the explorer (files and folders, several at
 * once) with its progress, and a nudge for each incoming offer. The offer itself lives on as a
 * card in the chat (FileCards): a toast that hides, or is closed, answers nothing and loses
 * nothing. Accept, Decline and Cancel here act on the same card as the chat's buttons.
 */
export class FileTransfersUi extends Disposable {
  constructor(
    private readonly messenger: MessengerModel,
    private readonly cards: FileCards,
    private readonly openChat: (conversationId: ConversationId) => void,
  ) {
    super();
    this._register(cards.onDidOffer((card) => void this.onOffer(card)));
  }

  /** Explorer "Send to Peer…": `uris` are the selection (or the one clicked). */
  async send(uris: vscode.Uri[], preselect?: string): Promise<void> {
    const files = uris.filter((u) => u.scheme === 'file');
    if (files.length === 0) {
      void showInformationMessage('Pick files or folders in the Explorer to send.');
      return;
    }
    if (files.length < uris.length) void showWarningMessage('Only files on this machine can be sent; the others were skipped.');
    const peers = preselect
      ? [{ clientId: preselect, name: this.messenger.nameOf(preselect) }]
      : await pickPeers(this.messenger, inert`Send to…`, { canPickMany: true });
    if (!peers) return;
    for (const peer of peers) {
      try {
        const transfer = await this.messenger.sendFiles(
          peer.clientId,
          files.map((u) => u.fsPath),
        );
        void this.watchOutgoing(this.cards.trackOutgoing(transfer, peer.clientId, peer.name));
      } catch (err) {
        void showErrorMessage(inert`Cannot send to ${peer.name}: ${(err as Error).message}`);
      }
    }
  }

  private async watchOutgoing(card: FileCard): Promise<void> {
    const what = `${card.what} (${card.size})`;
    const end = await this.withCardProgress(card, inert`Sending ${what} to ${card.peerName}`);
    if (end.state === 'done') void showInformationMessage(inert`${card.peerName} received ${what} (checksums verified).`);
    else if (end.tone === 'error') void showErrorMessage(inert`Sending ${what} to ${card.peerName}: ${end.status}`);
    else if (end.endedBy !== 'you') void showInformationMessage(inert`Sending ${what} to ${card.peerName}: ${end.status}`);
  }

  /** A nudge for an offer; the chat's card holds it too, so closing this answers nothing. */
  private async onOffer(card: FileCard): Promise<void> {
    // The user is looking at the card already.
    if (this.messenger.visibleConversation === card.conversationId) return;
    const what = `${card.what} (${card.size})`;
    const choice = await showInformationMessage(inert`${card.peerName} wants to send you ${what}.`, 'Accept', 'Decline', 'Show in Chat');
    if (choice === 'Show in Chat') return this.openChat(card.conversationId);
    if (!choice) return;
    const now = this.cards.get(card.id);
    if (now?.state !== 'offered') {
      void showWarningMessage(inert`The offer of ${what} from ${card.peerName} is no longer available (${now?.status ?? 'gone'}).`);
      return;
    }
    if (choice === 'Decline') return this.cards.decline(card.id);
    void this.cards.accept(card.id);
    const end = await this.withCardProgress(card, inert`Receiving ${what} from ${card.peerName}`);
    if (end.state === 'done') void this.offerToOpen(end);
    else if (end.tone === 'error') void showErrorMessage(inert`Receiving ${what} from ${card.peerName}: ${end.status}`);
    else if (end.endedBy !== 'you') void showInformationMessage(inert`Receiving ${what} from ${card.peerName}: ${end.status}`);
  }

  private async offerToOpen(card: FileCard): Promise<void> {
    const places = card.saved ?? [];
    const first = places[0];
    if (!first) return;
    const label = places.length === 1 && !card.moreSaved ? first.name : card.what;
    const reveal = revealLabel();
    const choice = await showInformationMessage(inert`Received ${label} from ${card.peerName}. ${card.status}`, 'Open', reveal, 'Show in Chat');
    if (choice === 'Open') await openPlace(first);
    if (choice === reveal) await revealPlace(first);
    if (choice === 'Show in Chat') this.openChat(card.conversationId);
  }

  /** A progress notification that follows the card (Cancel cancels the transfer); resolves with its last state. */
  private withCardProgress(card: FileCard, title: InertText): Thenable<FileCard> {
    return withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => this.cards.cancel(card.id));
      return this.follow(card.id, progress);
    });
  }

  private follow(cardId: string, progress: SafeProgress): Promise<FileCard> {
    return new Promise<FileCard>((resolve) => {
      let shown = 0;
      const show = (card: FileCard) => {
        const percent = card.total > 0 ? (100 * card.bytes) / card.total : 0;
        progress.report({ increment: Math.max(0, percent - shown), message: inert`${card.status}` });
        shown = Math.max(shown, percent);
      };
      const current = this.cards.get(cardId);
      if (current && isFinal(current.state)) return resolve(current);
      if (current) show(current);
      const subscription = this.cards.onDidChange((card) => {
        if (card.id !== cardId) return;
        if (!isFinal(card.state)) return show(card);
        subscription.dispose();
        resolve(card);
      });
    });
  }
}
