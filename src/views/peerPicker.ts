import { inert, InertText } from '../model/inertText';
import { MessengerModel } from '../model/messengerModel';
import { PickedPeer, pickFromSearch } from './peerSearchPick';
import { SafeQuickPickItem, showInformationMessage, showQuickPick, showWarningMessage } from './safeWindow';

export type { PickedPeer };

/**
 * A quick pick of online peers (several may be picked). Undefined when cancelled or nobody is
 * online. On a big relay (watched presence) it searches the relay as the user types, starting
 * from the watched people online, and the people picked are watched from then on.
 */
export async function pickPeers(
  messenger: MessengerModel,
  title: InertText,
  options: { canPickMany: boolean; preselect?: string[] },
): Promise<PickedPeer[] | undefined> {
  if (messenger.connectionState !== 'connected') {
    void showWarningMessage('Team Messenger is not connected to a relay.');
    return undefined;
  }
  if (messenger.roster().presence.mode === 'watched') {
    const picked = await pickFromSearch(messenger, { title, canPickMany: options.canPickMany, initial: messenger.watchedOnline() });
    // Watched before anything is sent: transfers and the roster need them online in it.
    if (picked) await messenger.addFound(picked.map((p) => p.clientId));
    return picked;
  }
  const online = messenger.onlineIdentities();
  if (online.length === 0) {
    void showInformationMessage('Nobody else is online right now.');
    return undefined;
  }
  type Item = SafeQuickPickItem & { clientId: string; name: string };
  const items: Item[] = online
    .map(({ clientId, ...p }) => ({
      label: inert`$(account) ${p.name}`,
      description: inert(p.machines.join(', ')),
      clientId,
      name: p.name,
      picked: options.preselect?.includes(clientId),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (options.canPickMany) {
    const picked = await showQuickPick(items, { title, canPickMany: true, matchOnDescription: true, placeHolder: inert`Pick one or more peers` });
    return picked && picked.length > 0 ? picked.map((p) => ({ clientId: p.clientId, name: p.name })) : undefined;
  }
  const picked = await showQuickPick(items, { title, matchOnDescription: true, placeHolder: inert`Pick a peer` });
  return picked ? [{ clientId: picked.clientId, name: picked.name }] : undefined;
}
