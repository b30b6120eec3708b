import { JoinText, parseJoinText } from '../net/invite';
import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { isSuperseded } from '../model/connectionMachine';
import { inert } from '../model/inertText';
import type { CommandContext, CommandPorts } from './commands';
import { describeUntil } from './inviteText';

/**
 * Joining a team with what a teammate sent: an invite (a link opened in VS Code, or pasted) or
 * the address block a hosting window copies. Tries the invite's addresses in order, with the
 * certificate fingerprint it names (so nobody is asked to trust a certificate); the relay hands
 * over the team secret, which the ConnectionManager keeps. The `teamMessenger.server` setting
 * changes only once the relay let this user in: a failed join leaves a working setup alone.
 */
export interface JoinFlow {
  /** Parses `text` (link, `tm1.` text or address block) and joins; says what is wrong with it otherwise. */
  joinText(text: string, options?: JoinOptions): Promise<void>;
  join(what: JoinText, options?: JoinOptions): Promise<void>;
}

export interface JoinOptions {
  /** Ask (modal) before leaving another relay this window is connected to (default true). */
  askToSwitch?: boolean;
}

/** Failures after which the next address of an invite may still work. */
const TRY_NEXT = new Set<string>([ErrorCode.Unreachable, ErrorCode.HandshakeTimeout, ErrorCode.ConnectionLost]);

export function joinFlow(c: CommandContext, ports: CommandPorts): JoinFlow {
  const { connections, messenger } = c;
  const { showErrorMessage, showInformationMessage, showWarningMessage } = ports.window;

  const fail = async (message: string): Promise<void> => {
    ports.log.error(`joining failed: ${message}`);
    // A button also keeps VS Code from cutting the message to one line; a new invite goes there.
    const choice = await showErrorMessage(inert`Could not join the team: ${localTimes(message)}.`, 'Paste Invite…');
    if (choice) await ports.executeCommand('teamMessenger.pasteInvite');
  };

  const join = async (what: JoinText, options: JoinOptions = {}): Promise<void> => {
    const addresses = what.kind === 'invite' ? what.invite.addresses : [what.server];
    const from = what.kind === 'invite' ? what.invite.from : undefined;
    const state = messenger.connectionState;
    const busy = state === 'connected' || state === 'connecting' || state === 'reconnecting';
    if (busy && addresses.includes(connections.server)) {
      void showInformationMessage(inert`Already connected to the team at ${connections.server}.`);
      ports.views.openChat();
      return;
    }
    if (busy && options.askToSwitch !== false) {
      const choice = await showWarningMessage(
        inert`Join the team at ${addresses[0]}${from ? inert` (invited by ${from})` : ''}?`,
        { modal: true, detail: inert`This window is connected to ${connections.server} and will leave it.` },
        'Join',
      );
      if (choice !== 'Join') return;
    }
    const previous = busy ? connections.server : '';
    let joined: string | undefined;
    let lastError: unknown;
    let superseded = false;
    await ports.progress(inert`Joining the team at ${addresses[0]}…`, async () => {
      for (const server of addresses) {
        try {
          if (what.kind === 'invite') {
            await connections.connect(server, { invite: what.invite.token, fingerprint: what.invite.fingerprint, failFast: true });
          } else {
            await connections.connect(server, { secret: what.secret, fingerprint: what.fingerprint, failFast: true });
          }
          joined = server;
          return;
        } catch (err) {
          lastError = err;
          // Another connection was asked for meanwhile (Connect…, Disconnect): that one stands.
          superseded = isSuperseded(err);
          if (!(err instanceof TeamMessengerError && TRY_NEXT.has(err.code))) return;
        }
      }
    });
    if (superseded) return;
    if (joined === undefined) {
      // Back where the user was, rather than nowhere.
      if (previous) connections.connect(previous).catch((err: Error) => ports.log.error(`reconnecting to ${previous} failed: ${err.message}`));
      return fail(describeFailure(lastError, addresses, what.kind === 'invite' ? 'the invite' : 'the pasted text'));
    }
    // Only while that relay is still the one this window is on (a newer Connect… may have come).
    if (connections.server === joined) await ports.settings.update('server', joined);
    await ports.executeCommand('teamMessenger.peers.focus');
    ports.views.openChat();
    void showInformationMessage(inert`Joined the team at ${joined}${from ? inert` (invited by ${from})` : ''}.`);
  };

  return {
    join,
    async joinText(text, options) {
      let parsed: JoinText;
      try {
        parsed = readJoinText(text);
      } catch (err) {
        return fail((err as Error).message);
      }
      await join(parsed, options);
    },
  };
}

/**
 * `parseJoinText` of what a person pasted or opened, after undoing what a one-line input box
 * does to it: VS Code's input box drops line breaks, so the copied link and its `tm1.` line run
 * together, and so do the address block's lines. An invite's check is 8 characters, so the
 * first whole invite is found in run-together text; the block's labels get their space back.
 */
export function readJoinText(text: string, now = Date.now()): JoinText {
  const invite = /tm1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8}/.exec(text);
  if (invite) return parseJoinText(invite[0], now);
  return parseJoinText(text.replace(/(Team secret:|Certificate fingerprint)/gi, ' $1'), now);
}

/**
 * The clipboard's invite or address block on one line (as an input box shows it), or undefined
 * when it holds neither. An expired or damaged invite is kept: the box then says what is wrong.
 */
export function joinTextOnOneLine(clipboard: string): string | undefined {
  if (clipboard.length > 10_000) return undefined;
  try {
    readJoinText(clipboard);
  } catch {
    if (!/tm1\./.test(clipboard)) return undefined;
  }
  const invite = clipboard.split(/\r?\n/).find((line) => /tm1\./.test(line));
  return (invite ?? clipboard).trim().replace(/\s*\r?\n\s*/g, ' ');
}

/** The relay's and the parser's ISO times (`2026-12-06T20:53:37.890Z`) in the user's local time. */
function localTimes(message: string): string {
  return message.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, (iso) => describeUntil(Date.parse(iso)));
}

/** Why joining failed, in the relay's or the client's words; a wrong certificate said plainly. */
function describeFailure(err: unknown, addresses: string[], source: string): string {
  if (err instanceof TeamMessengerError && err.code === ErrorCode.TlsFingerprintMismatch) {
    return (
      `the relay at ${addresses.join(' or ')} did not show the certificate ${source} names ` +
      '(it may have a new one, or someone may be intercepting the connection); ask your teammate to send it again'
    );
  }
  return err instanceof Error ? err.message : String(err);
}
