import type { DirectoryView, ToWebview } from './chatProtocol';
import type { MessengerModel } from '../model/messengerModel';

/** People offered to the autocomplete: enough for a big team, bounded for the webview. */
export const DIRECTORY_PEOPLE = 5_000;

/**
 * Whom the composer can mention: every person the roster knows (online first, then those seen
 * before), once each, the user left out; and the channels by name (archived ones left out).
 * Pure over the model, for the chat panel to send as `directory`.
 */
export function directoryView(model: Pick<MessengerModel, 'roster' | 'channels'>): DirectoryView {
  const roster = model.roster();
  const people = new Map<string, { id: string; name: string; online: boolean }>();
  for (const peer of roster.online) {
    if (peer.clientId !== roster.selfId && !people.has(peer.clientId)) people.set(peer.clientId, { id: peer.clientId, name: peer.name, online: true });
  }
  for (const peer of roster.known) {
    if (peer.clientId !== roster.selfId && !people.has(peer.clientId)) people.set(peer.clientId, { id: peer.clientId, name: peer.name, online: false });
  }
  const channels = model
    .channels()
    .filter((c) => !c.archived)
    .map((c) => c.name);
  return { people: [...people.values()].slice(0, DIRECTORY_PEOPLE), channels: [...new Set(channels)] };
}

/** Sends the directory to the webview when it changed: the roster changes often, whom it names seldom. */
export class DirectoryFeed {
  private last = '';

  constructor(
    private readonly model: Pick<MessengerModel, 'roster' | 'channels'>,
    private readonly post: (message: ToWebview) => void,
  ) {}

  /** `force`: a fresh page has none yet. */
  update(force = false): void {
    const directory = directoryView(this.model);
    const key = JSON.stringify(directory);
    if (!force && key === this.last) return;
    this.last = key;
    this.post({ type: 'directory', directory });
  }
}
