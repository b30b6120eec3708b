import * as vscode from 'vscode';
import { TeamMessengerError } from '../net/protocol/errors';
import { IncomingTransfer, ReceivedFile } from '../net/transfer/incomingTransfer';
import { OutgoingTransfer } from '../net/transfer/outgoingTransfer';
import { TransferProgress } from '../net/transfer/progress';
import { inert } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { pickPeers } from './peerPicker';
import { SafeProgress, showErrorMessage, showInformationMessage, showWarningMessage, withProgress } from './safeWindow';

/**
 * Files in the UI: "Send to Peer…" from the explorer (files and folders, several at once),
 * Accept / Decline for incoming offers, progress with Cancel for both directions, and Open /
 * Reveal once a file has arrived and been verified.
 */
/** Where received files go, and how large they may be (from the settings). */
export interface DownloadSettings {
  downloadFolder: string;
  /** 0: no limit beyond free disk space. */
  maxFileSizeMB: number;
}

export class FileTransfersUi extends Disposable {
  constructor(
    private readonly messenger: MessengerModel,
    private readonly settings: () => DownloadSettings,
  ) {
    super();
    this._register(messenger.onFileOffer((transfer) => void this.onOffer(transfer)));
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
        void this.watchOutgoing(transfer, peer.name);
      } catch (err) {
        void showErrorMessage(inert`Cannot send to ${peer.name}: ${(err as Error).message}`);
      }
    }
  }

  private async watchOutgoing(transfer: OutgoingTransfer, peerName: string): Promise<void> {
    const what = describeFiles(
      transfer.files.map((f) => f.name),
      transfer.total,
    );
    await withProgress(
      { location: vscode.ProgressLocation.Notification, title: inert`Sending ${what} to ${peerName}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => transfer.cancel('cancelled by the sender'));
        progress.report({ message: inert`waiting for ${peerName} to accept…` });
        const meter = progressReporter(progress);
        transfer.on('progress', meter);
        transfer.on('state', (state) => {
          if (state === 'interrupted') progress.report({ message: 'connection lost; will resume…' });
        });
        try {
          await transfer.done;
          void showInformationMessage(inert`${peerName} received ${what} (checksums verified).`);
        } catch (err) {
          const error = err as TeamMessengerError;
          if (error.code === 'CANCELLED' && token.isCancellationRequested) return;
          void showErrorMessage(inert`Sending ${what} to ${peerName} failed: ${error.message}`);
        }
      },
    );
  }

  private async onOffer(transfer: IncomingTransfer): Promise<void> {
    const what = describeFiles(
      transfer.files.map((f) => f.name),
      transfer.total,
    );
    const choice = await showInformationMessage(inert`${transfer.fromName} wants to send you ${what}.`, 'Accept', 'Decline');
    if (transfer.state !== 'offered') {
      if (choice) void showWarningMessage(inert`The offer of ${what} from ${transfer.fromName} is no longer available (${transfer.state}).`);
      return;
    }
    if (choice !== 'Accept') {
      transfer.decline(choice === 'Decline' ? 'declined' : 'not answered');
      return;
    }
    const settings = this.settings();
    const received: ReceivedFile[] = [];
    transfer.on('file', (file) => received.push(file));
    await withProgress(
      { location: vscode.ProgressLocation.Notification, title: inert`Receiving ${what} from ${transfer.fromName}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => transfer.cancel('cancelled by the receiver'));
        transfer.on('progress', progressReporter(progress));
        try {
          await transfer.accept({
            dir: settings.downloadFolder,
            ...(settings.maxFileSizeMB > 0 ? { maxFileBytes: settings.maxFileSizeMB * 1024 * 1024 } : {}),
          });
          await transfer.done;
        } catch (err) {
          const error = err as TeamMessengerError;
          if (!(error.code === 'CANCELLED' && token.isCancellationRequested)) {
            void showErrorMessage(inert`Receiving ${what} from ${transfer.fromName} failed: ${error.message}`);
          }
        }
      },
    );
    const finalState: string = transfer.state; // changed while we awaited
    if (finalState === 'done' && received.length > 0) void this.offerToOpen(received, transfer.fromName);
  }

  private async offerToOpen(files: ReceivedFile[], from: string): Promise<void> {
    const first = vscode.Uri.file(files[0].path);
    const label = files.length === 1 ? files[0].name : `${files.length} files`;
    const choice = await showInformationMessage(inert`Received ${label} from ${from}.`, 'Open', 'Reveal in File Explorer');
    if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', first);
    if (choice === 'Reveal in File Explorer') await vscode.commands.executeCommand('revealFileInOS', first);
  }
}

function progressReporter(progress: SafeProgress): (p: TransferProgress) => void {
  let shown = 0;
  return (p) => {
    const percent = p.total > 0 ? (100 * p.bytes) / p.total : 100;
    const eta = p.etaSeconds === undefined ? '' : ` · ${formatSeconds(p.etaSeconds)} left`;
    progress.report({ increment: percent - shown, message: inert`${Math.floor(percent)}% · ${formatBytes(p.rate)}/s${eta}` });
    shown = percent;
  };
}

export function describeFiles(names: string[], total: number): string {
  const first = names[0]?.split('/')[0] ?? 'files';
  const label =
    names.length === 1 ? names[0] : names.every((n) => n.startsWith(first + '/')) ? `folder ${first} (${names.length} files)` : `${names.length} files`;
  return `${label} (${formatBytes(total)})`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
