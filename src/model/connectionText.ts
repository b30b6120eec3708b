import type { ClientState } from '../net/client/teamClient';
import type { ConnectionView } from './connectionView';
import { inert, InertText, joinInert } from './inertText';

export type { ConnectionView };

/**
 * The words for the connection, in one place: the chat panel's ConnectionView and the status
 * bar item. Pure, no VS Code. Examples (status bar):
 *
 *   idle/closed               '$(debug-disconnect) Team Messenger: offline'
 *   closed, failed for good   '$(error) Team Messenger: h:9 refused the login'
 *   connecting                '$(sync~spin) Connecting to host:9999…'
 *   reconnecting              '$(sync~spin) Reconnecting to host:9999…'
 *   reconnecting, failing     "$(warning) Team Messenger: can't reach host:9999"
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
  /** Why the relay cannot be used (connectionFailure.ts): said instead of a bare "Reconnecting…". */
  failure?: { summary: string; text: string };
  /** The relay the user left with Disconnect. */
  disconnectedFrom?: string;
  /** Own messages waiting for the relay. */
  pending?: number;
  /** Unread messages, shown in the status bar. */
  unread?: number;
}

export interface ConnectionTexts {
  /** For the chat panel's banner. */
  view: ConnectionView;
  /** For the status bar item: `text` holds our codicons ($(name)), the server and error inert. */
  statusBar: { text: InertText; tooltip: InertText };
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
  const failure = details.failure && state !== 'connected' && state !== 'hosting' ? details.failure : undefined;
  const left = details.disconnectedFrom?.trim() || '';

  let viewState: ConnectionView['state'];
  let icon: InertText;
  let barMain: string;
  let viewText: string;
  const tip: string[] = [];

  switch (state) {
    case 'connecting':
      viewState = 'connecting';
      icon = inert`$(sync~spin)`;
      barMain = `Connecting to ${server || 'the relay'}…`;
      viewText = barMain;
      tip.push(`Team Messenger: connecting to ${server || 'the relay'}`);
      break;
    case 'reconnecting':
      viewState = 'reconnecting';
      if (failure) {
        // Where the user looks: the cause, not an endless "Reconnecting…".
        icon = inert`$(warning)`;
        barMain = `Team Messenger: ${oneLine(failure.summary)}`;
        viewText = `${shorten(oneLine(failure.text))} · still trying`;
        tip.push(`Team Messenger: ${oneLine(failure.text)}`, 'Still trying in the background.');
        break;
      }
      icon = inert`$(sync~spin)`;
      barMain = `Reconnecting to ${server || 'the relay'}…`;
      viewText = error ? `${barMain} (${error})` : barMain;
      tip.push(`Team Messenger: connection lost, reconnecting to ${server || 'the relay'}`);
      break;
    case 'connected':
    case 'hosting':
      viewState = 'connected';
      if (state === 'hosting' || hosting) {
        icon = inert`$(broadcast)`;
        barMain = `Hosting on :${hostingPort || portOf(server)} · ${online} online`;
        viewText = `Hosting on port ${hostingPort || portOf(server)} · ${online} online`;
        tip.push(`Team Messenger: hosting the relay on port ${hostingPort || portOf(server)}`);
      } else {
        icon = inert`$(comment-discussion)`;
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
        icon = inert`$(broadcast)`;
        barMain = `Hosting on :${hostingPort} · not connected`;
        viewText = `Hosting on port ${hostingPort}, not connected`;
        tip.push(`Team Messenger: hosting the relay on port ${hostingPort}, this window is not connected to it`);
      } else if (failure) {
        icon = inert`$(error)`;
        barMain = `Team Messenger: ${oneLine(failure.summary)}`;
        viewText = shorten(oneLine(failure.text));
      } else if (left && !server) {
        icon = inert`$(debug-disconnect)`;
        barMain = 'Team Messenger: offline';
        viewText = `Disconnected from ${left}`;
        tip.push(`Team Messenger: disconnected from ${left}`);
      } else {
        icon = inert`$(debug-disconnect)`;
        barMain = 'Team Messenger: offline';
        viewText = server ? `Not connected (relay ${server})` : 'Not connected: no relay is set';
        tip.push(server ? `Team Messenger: not connected to ${server}` : 'Team Messenger: no relay is set');
      }
      if (failure) tip.push(`Team Messenger: ${oneLine(failure.text)}`);
      else if (error) viewText += ` · ${error}`;
      break;
  }

  if (hosting?.addresses?.length) tip.push(`Teammates connect to: ${hosting.addresses.join(', ')}`);
  if (error && !failure && viewState !== 'connected') tip.push(`Last error: ${error}`);
  if (pending > 0) {
    const waiting = pending === 1 ? '1 message waiting to be sent' : `${pending} messages waiting to be sent`;
    tip.push(waiting);
    if (viewState !== 'connected') viewText += ` · ${waiting}`;
  }
  if (unread > 0) tip.push(unread === 1 ? '1 unread message' : `${unread} unread messages`);
  if (failure) tip.push('Click to retry or change the address.');
  else if (viewState === 'disconnected') tip.push(left && !server && !hosting ? 'Click to connect again.' : 'Click to connect.');
  else tip.push('Click to open the chat.');

  const counts = `${unread > 0 ? ` · ${unread} unread` : ''}${pending > 0 ? ` · ${pending} waiting` : ''}`;
  // The server (a setting, or an address a teammate sent) and errors (a relay's words) are shown
  // as typed: only our own icon renders as one.
  const barText = joinInert([icon, inert(barMain + counts, { maxChars: 400 })], ' ');
  const tooltip = inert(tip.join('\n'), { multiline: true, maxChars: 2000 });
  return { view: { state: viewState, text: viewText }, statusBar: { text: barText, tooltip } };
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
