import type { ClientState } from '../net/client';
import type { ConnectionView } from './chatProtocol';

/**
 * The words for the connection, in one place: the chat panel's ConnectionView and the status
 * bar item. Pure, no VS Code. Examples (status bar):
 *
 *   idle/closed               '$(debug-disconnect) Team Messenger: offline'
 *   connecting                '$(sync~spin) Connecting to host:9999…'
 *   reconnecting              '$(sync~spin) Reconnecting to host:9999…'
 *   connected                 '$(comment-discussion) host:9999 · 3 online'
 *   hosting (relay + client)  '$(broadcast) Hosting on :9999 · 3 online'
 *
 * followed by ' · N unread' and ' · N waiting' when there are any.
 */

/** The client's state, or 'hosting': this window runs the relay and its client is connected to it. */
export type ConnectionPhase = ClientState | 'hosting';

export interface ConnectionDetails {
  /** The relay the client talks to, as `host:port` (see formatHostPort); '' or absent when none is set. */
  server?: string;
  /** Set while this window runs the relay: its port, and the addresses teammates can use. */
  hosting?: { port: number; addresses?: string[] };
  /** People online now (identities, the user excluded). */
  online?: number;
  /** Why the last connection ended or failed, when it did. */
  error?: string;
  /** Own messages waiting for the relay. */
  pending?: number;
  /** Unread messages, shown in the status bar. */
  unread?: number;
}

export interface ConnectionTexts {
  /** For the chat panel (ConnectionView of chatProtocol.ts). */
  view: ConnectionView;
  /** For the status bar item: `text` may contain codicons ($(name)); `tooltip` is plain text. */
  statusBar: { text: string; tooltip: string };
}

const MAX_ERROR_CHARS = 200;

/** Texts for the connection in `state` (see the module comment). */
export function describeConnection(state: ConnectionPhase, details: ConnectionDetails = {}): ConnectionTexts {
  const server = details.server?.trim() || '';
  const online = count(details.online);
  const pending = count(details.pending);
  const unread = count(details.unread);
  const error = details.error ? shorten(oneLine(details.error)) : '';
  const hosting = details.hosting;
  const hostingPort = hosting ? String(hosting.port) : '';

  let viewState: ConnectionView['state'];
  let icon: string;
  let barMain: string;
  let viewText: string;
  const tip: string[] = [];

  switch (state) {
    case 'connecting':
      viewState = 'connecting';
      icon = '$(sync~spin)';
      barMain = `Connecting to ${server || 'the relay'}…`;
      viewText = barMain;
      tip.push(`Team Messenger: connecting to ${server || 'the relay'}`);
      break;
    case 'reconnecting':
      viewState = 'reconnecting';
      icon = '$(sync~spin)';
      barMain = `Reconnecting to ${server || 'the relay'}…`;
      viewText = error ? `${barMain} (${error})` : barMain;
      tip.push(`Team Messenger: connection lost, reconnecting to ${server || 'the relay'}`);
      break;
    case 'connected':
    case 'hosting':
      viewState = 'connected';
      if (state === 'hosting' || hosting) {
        icon = '$(broadcast)';
        barMain = `Hosting on :${hostingPort || portOf(server)} · ${online} online`;
        viewText = `Hosting on port ${hostingPort || portOf(server)} · ${online} online`;
        tip.push(`Team Messenger: hosting the relay on port ${hostingPort || portOf(server)}`);
      } else {
        icon = '$(comment-discussion)';
        barMain = `${server || 'relay'} · ${online} online`;
        viewText = `Connected to ${server || 'the relay'} · ${online} online`;
        tip.push(`Team Messenger: connected to ${server || 'the relay'}`);
      }
      tip.push(online === 1 ? '1 person online' : `${online} people online`);
      break;
    case 'idle':
    case 'closed':
    default:
      viewState = 'disconnected';
      if (hosting) {
        icon = '$(broadcast)';
        barMain = `Hosting on :${hostingPort} · not connected`;
        viewText = `Hosting on port ${hostingPort}, not connected`;
        tip.push(`Team Messenger: hosting the relay on port ${hostingPort}, this window is not connected to it`);
      } else {
        icon = '$(debug-disconnect)';
        barMain = 'Team Messenger: offline';
        viewText = server ? `Not connected (relay ${server})` : 'Not connected: no relay is set';
        tip.push(server ? `Team Messenger: not connected to ${server}` : 'Team Messenger: no relay is set');
      }
      if (error) viewText += ` · ${error}`;
      break;
  }

  if (hosting?.addresses?.length) tip.push(`Teammates connect to: ${hosting.addresses.join(', ')}`);
  if (error && viewState !== 'connected') tip.push(`Last error: ${error}`);
  if (pending > 0) {
    const waiting = pending === 1 ? '1 message waiting to be sent' : `${pending} messages waiting to be sent`;
    tip.push(waiting);
    if (viewState !== 'connected') viewText += ` · ${waiting}`;
  }
  if (unread > 0) tip.push(unread === 1 ? '1 unread message' : `${unread} unread messages`);
  tip.push(viewState === 'disconnected' ? 'Click to connect.' : 'Click to open the chat.');

  let barText = `${icon} ${escapeIcons(barMain)}`;
  if (unread > 0) barText += ` · ${unread} unread`;
  if (pending > 0) barText += ` · ${pending} waiting`;

  return { view: { state: viewState, text: viewText }, statusBar: { text: barText, tooltip: tip.join('\n') } };
}

/**
 * Escapes `$(…)` so text from settings or the network shows as typed, not as an icon (the same
 * escape VS Code's own escapeIcons uses: a backslash before the `$`).
 */
export function escapeIcons(text: string): string {
  return text.replace(/\$\(/g, '\\$(');
}

function count(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function portOf(server: string): string {
  const match = /:(\d+)$/.exec(server);
  return match ? match[1] : '?';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function shorten(text: string): string {
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}
