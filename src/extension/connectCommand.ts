import { MAX_ADDRESSES } from '../net/address';
import { JoinText } from '../net/invite';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { isSuperseded } from '../model/connectionMachine';
import { inert, InertText } from '../model/inertText';
import type { IDisposable } from '../model/lifecycle';
import type { SafeQuickPickItem } from '../views/safeWindow';
import type { CommandContext, CommandPorts } from './commands';
import type { ConnectOptions } from './connectionManager';
import type { Register } from './inviteTeammate';
import { JoinFlow, joinTextOnOneLine, readJoinText } from './joinFlow';

/** `host:port`, or a host alone (port 9999); IPv6 in brackets. */
const HOST_PORT = /^(\[[^\]]+\]|[^:\s/]+)(:\d{1,5})?$/;

/** One address, or the relays of a cluster: `host:port, host2:port`. */
function isAddressList(text: string): boolean {
  const parts = text.split(',').map((part) => part.trim());
  return parts.length <= MAX_ADDRESSES && parts.every((part) => HOST_PORT.test(part));
}

/** What Connect… was given: an address typed, or anything the app copies for a teammate. */
export type ConnectText = { kind: 'server'; server: string } | JoinText;

/** Reads the Connect… box; throws (INVITE_INVALID) saying what to enter instead. */
export function readConnectText(text: string): ConnectText {
  const trimmed = text.trim();
  // A bare invite looks like a host name too (`tm1.<payload>.<check>`), but its payload is long.
  const bareInvite = /^tm1\.[A-Za-z0-9_-]{20,}/.test(trimmed);
  if (isAddressList(trimmed) && !bareInvite) return { kind: 'server', server: trimmed };
  try {
    return readJoinText(trimmed);
  } catch (err) {
    // A damaged or expired invite says so; anything else gets the usual hint.
    if (/tm1\./.test(trimmed)) throw err;
    throw new TeamMessengerError(
      ErrorCode.InviteInvalid,
      'Enter host:port (for example 192.168.1.20:9999), or paste the invite or the address block a teammate sent',
    );
  }
}

/** Why the Connect… box cannot be accepted yet, or undefined. */
function validateConnectText(text: string): InertText | undefined {
  try {
    readConnectText(text);
    return undefined;
  } catch (err) {
    return inert((err as Error).message);
  }
}

/**
 * Connects, and answers what the relay refused with a way out: a changed certificate (forget the
 * pin), an untrusted one, a wrong secret (set it). A connection replaced by a newer request ends
 * quietly; an unreachable relay is the ConnectionManager's to report (once), while it retries.
 */
export function connectWithAnswers(c: CommandContext, ports: CommandPorts): (server: string, options?: ConnectOptions) => Promise<void> {
  const { connections } = c;
  const { showErrorMessage, showWarningMessage } = ports.window;
  const connectTo = async (server: string, options: ConnectOptions = {}): Promise<void> => {
    try {
      await connections.connect(server, { ...options, interactive: true });
    } catch (err) {
      if (isSuperseded(err)) return;
      if (err instanceof TeamMessengerError && err.code === ErrorCode.TlsFingerprintMismatch) {
        const choice = await showErrorMessage(inert(err.message), { modal: true }, 'Forget Pinned Certificate');
        if (choice) {
          await connections.trust.forget(server);
          await connectTo(server, options);
        }
        return;
      }
      if (err instanceof TeamMessengerError && err.code === ErrorCode.TlsUntrusted) {
        void showWarningMessage(inert`Not connected to ${server}: ${err.message}.`);
        return;
      }
      if (err instanceof TeamMessengerError && err.code === ErrorCode.AuthFailed) {
        const choice = await showErrorMessage(inert`The relay at ${server} refused to let you in: ${err.message}.`, 'Set Team Secret…');
        if (choice) await ports.executeCommand('teamMessenger.setTeamSecret');
        return;
      }
      throw err;
    }
  };
  return connectTo;
}

/**
 * Connect to Relay…: a relay used lately (one pick), or a new address; an invite or address block
 * pasted into the box joins as Paste Invite… would.
 */
export function registerConnectCommand(c: CommandContext, ports: CommandPorts, register: Register, join: JoinFlow): IDisposable {
  const { connections, secrets, messenger } = c;
  const { showInputBox, showQuickPick } = ports.window;
  const connectTo = connectWithAnswers(c, ports);

  const pickRecent = async (): Promise<string | 'other' | undefined> => {
    const recent = connections.recentRelays();
    // Change Address… after a failure: straight to the box, which holds the address to correct.
    if (recent.length === 0 || connections.failure) return 'other';
    const connected = messenger.connectionState === 'connected' ? connections.server : '';
    const items: (SafeQuickPickItem & { server?: string })[] = [
      ...recent.map((server) => ({ label: inert`$(remote) ${server}`, description: server === connected ? inert`connected` : undefined, server })),
      { label: inert`$(edit) Enter another address…`, description: inert`or paste an invite` },
    ];
    const picked = await showQuickPick(items, { title: inert`Connect to Relay`, placeHolder: inert`A relay you used lately, or another one` });
    return picked ? (picked.server ?? 'other') : undefined;
  };

  return register('teamMessenger.connect', async () => {
    const settings = ports.settings.read();
    const recent = await pickRecent();
    if (recent === undefined) return;
    const typed =
      recent !== 'other'
        ? recent
        : await showInputBox({
            title: inert`Connect to Relay`,
            prompt: inert`The relay your team uses, as host:port; or paste an invite`,
            value: connections.failure?.server || settings.server || joinTextOnOneLine(await ports.window.readClipboard()) || '',
            placeHolder: inert`chat.example.com:9999`,
            ignoreFocusOut: true,
            validateInput: validateConnectText,
          });
    if (!typed) return;
    const what = readConnectText(typed);
    if (what.kind !== 'server') return join.join(what, { askToSwitch: false });
    if (what.server === connections.server && messenger.connectionState === 'connected') {
      void ports.window.showInformationMessage(inert`Already connected to ${what.server}.`);
      return;
    }
    if (!(await secrets.teamSecret(what.server))) {
      const secret = await showInputBox({
        title: inert`Team Secret`,
        prompt: inert`The team secret for this relay (ask whoever runs it). Leave empty if it has none.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (secret === undefined) return;
      if (secret) await secrets.setTeamSecret(secret, what.server);
    }
    // The setting changes once this relay let the user in: a mistyped address keeps the working one.
    await connectTo(what.server, { saveServer: true });
  });
}
