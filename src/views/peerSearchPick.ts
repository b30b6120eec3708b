import * as vscode from 'vscode';
import { Limits } from '../net/protocol/messages';
import { FoundPeer, foundPeerRows } from '../model/foundPeers';
import { inert, InertText } from '../model/inertText';
import { MessengerModel } from '../model/messengerModel';
import { another, sameName } from '../model/peersModel';
import { createQuickPick, SafeQuickPickItem, showWarningMessage } from './safeWindow';

export interface PickedPeer {
  clientId: string;
  name: string;
}

type Item = SafeQuickPickItem & { clientId: string; name: string };

/** How long typing must pause before the relay is asked. */
const DEBOUNCE_MS = 250;

/**
 * A quick pick whose items come from the relay's peer search (`who`) as the user types: on a
 * big relay the roster holds only the watched people, so a list of the roster would miss
 * everyone else. `initial` is shown before anything is typed. Undefined when cancelled.
 */
export function pickFromSearch(
  messenger: MessengerModel,
  options: { title: InertText; canPickMany: boolean; initial: FoundPeer[]; placeholder?: InertText },
): Promise<PickedPeer[] | undefined> {
  if (messenger.connectionState !== 'connected') {
    void showWarningMessage('Team Messenger is not connected to a relay.');
    return Promise.resolve(undefined);
  }
  const pick = createQuickPick<Item>();
  pick.title = options.title;
  pick.placeholder = options.placeholder ?? inert`Type a name, a machine or the start of a client id`;
  pick.canSelectMany = options.canPickMany;
  pick.matchOnDescription = true;
  // Picked people stay listed (and picked) while the search changes underneath them.
  const chosen = new Map<string, Item>();
  let updating = false;
  const show = (rows: FoundPeer[]) => {
    updating = true;
    const fresh = rows.filter((r) => !chosen.has(r.clientId)).map((r) => toItem(r, messenger.selfName));
    pick.items = [...chosen.values(), ...fresh];
    if (options.canPickMany) pick.selectedItems = pick.items.filter((i) => chosen.has(i.clientId));
    updating = false;
  };
  show(options.initial);

  let timer: NodeJS.Timeout | undefined;
  let asked = 0;
  const search = (value: string) => {
    clearTimeout(timer);
    const query = value.trim().slice(0, Limits.whoQueryChars);
    const n = ++asked;
    if (!query) {
      pick.busy = false;
      show(options.initial);
      return;
    }
    timer = setTimeout(() => {
      pick.busy = true;
      messenger.search(query).then(
        (answer) => {
          if (n !== asked) return; // a newer search is on its way
          pick.busy = false;
          show(foundPeerRows(answer, messenger.selfId));
          if (answer.more) pick.placeholder = inert`More people match: type more to narrow the list`;
        },
        (err: Error) => {
          if (n !== asked) return;
          pick.busy = false;
          show([]);
          pick.placeholder = inert`Search failed: ${err.message}`;
        },
      );
    }, DEBOUNCE_MS);
  };

  return new Promise((resolve) => {
    let done = false;
    const finish = (value: PickedPeer[] | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(value);
      pick.dispose();
    };
    pick.onDidChangeValue(search);
    pick.onDidChangeSelection((items) => {
      if (updating || !options.canPickMany) return;
      chosen.clear();
      for (const item of items) chosen.set(item.clientId, item);
    });
    pick.onDidAccept(() => {
      // Enter with nothing ticked takes the focused row: one peer needs no tick.
      const ticked = options.canPickMany ? [...chosen.values()] : [...pick.selectedItems];
      const items = ticked.length > 0 ? ticked : [...pick.activeItems];
      if (items.length === 0) return;
      finish(items.map((i) => ({ clientId: i.clientId, name: i.name })));
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

function toItem(row: FoundPeer, selfName: string): Item {
  return {
    label: inert(row.name),
    iconPath: new vscode.ThemeIcon(row.online ? 'account' : 'circle-outline'),
    // Someone else using the user's own name is told apart from the user.
    description: inert(sameName(row.name, selfName) ? another(row.name, row.description) : row.description),
    clientId: row.clientId,
    name: row.name,
    // The relay already matched (machines and client ids too): show what it found.
    alwaysShow: true,
  };
}
