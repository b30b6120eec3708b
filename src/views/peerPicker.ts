import { inert, InertText } from '../model/inertText';
import { MessengerModel } from '../model/messengerModel';
import { pickablePeers } from '../model/pickablePeers';
import { PickedPeer, pickFromSearch } from './peerSearchPick';
import { createQuickPick, SafeQuickPickItem, showInformationMessage, showQuickPick, showWarningMessage } from './safeWindow';

export type { PickedPeer };

type Item = SafeQuickPickItem & { clientId: string; name: string };

/**
 * A quick pick of online peers (several may be picked), and with `includeOffline` the people
 * seen before who are offline now. Undefined when cancelled or there is nobody to list. On a big
 * relay (watched presence) it searches the relay as the user types (online and offline people),
 * starting from the watched people online, and the people picked are watched from then on.
 */
export async function pickPeers(
  messenger: MessengerModel,
  title: InertText,
  options: { canPickMany: boolean; preselect?: string[]; includeOffline?: boolean },
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
  const peers = pickablePeers({
    online: messenger.onlineIdentities(),
    known: messenger.roster().known,
    selfId: messenger.selfId,
    selfName: messenger.selfName,
    includeOffline: options.includeOffline === true,
    now: Date.now(),
  });
  if (peers.length === 0) {
    void showInformationMessage(options.includeOffline ? 'Nobody else is known on this relay yet.' : 'Nobody else is online right now.');
    return undefined;
  }
  // Someone else using the user's own name is told apart from the user (the description says so).
  const items: Item[] = peers.map((p) => ({
    label: p.online ? inert`$(account) ${p.name}` : inert`$(circle-outline) ${p.name}`,
    description: inert(p.description),
    clientId: p.clientId,
    name: p.name,
    picked: options.preselect?.includes(p.clientId),
  }));
  if (options.canPickMany) {
    const picked = await pickSeveral(items, title);
    return picked && picked.length > 0 ? picked.map((p) => ({ clientId: p.clientId, name: p.name })) : undefined;
  }
  const picked = await showQuickPick(items, { title, matchOnDescription: true, placeHolder: inert`Pick a peer` });
  return picked ? [{ clientId: picked.clientId, name: picked.name }] : undefined;
}

/**
 * Ticks for several peers; Enter with nothing ticked takes the focused row, so a single peer (or
 * the one the arrow keys are on) needs no tick. Undefined when cancelled.
 */
function pickSeveral(items: Item[], title: InertText): Promise<Item[] | undefined> {
  const pick = createQuickPick<Item>();
  pick.title = title;
  pick.placeholder = inert`Tick peers, or press Enter for the highlighted one`;
  pick.canSelectMany = true;
  pick.matchOnDescription = true;
  pick.items = items;
  pick.selectedItems = items.filter((i) => i.picked);
  pick.activeItems = items.slice(0, 1);
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: Item[] | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
      pick.dispose();
    };
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems.length > 0 ? [...pick.selectedItems] : [...pick.activeItems];
      if (chosen.length > 0) finish(chosen);
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
