/**
 * What the browser workbench has saved of itself. It writes its state (which editors are open, which
 * one is active) to IndexedDB when idle, every few seconds; a page reload before that write restores
 * the state from before, so a scenario that reloads waits for the write it depends on.
 */
import type { VsCodeHarness } from './harness';

/** Reads the workbench's `memento/workbench.parts.editor` from whichever of its databases has it
 *  ('' if none yet). A string: the e2e tests compile without the DOM's types. */
const READ_EDITOR_LAYOUT = `(async () => {
  const read = (name) => new Promise((resolve) => {
    const open = indexedDB.open(name);
    open.onerror = () => resolve('');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('ItemTable')) { db.close(); resolve(''); return; }
      const get = db.transaction('ItemTable', 'readonly').objectStore('ItemTable').get('memento/workbench.parts.editor');
      get.onsuccess = () => { db.close(); resolve(typeof get.result === 'string' ? get.result : ''); };
      get.onerror = () => { db.close(); resolve(''); };
    };
  });
  for (const { name } of await indexedDB.databases()) {
    const layout = name ? await read(name) : '';
    if (layout) return layout;
  }
  return '';
})()`;

/** Waits until the saved editor layout mentions `text` (an editor's resource or title). */
export async function waitForSavedEditor(vscode: VsCodeHarness, text: string, what: string): Promise<void> {
  await vscode.waitUntil(`the workbench to save ${what}`, async () => String(await vscode.page.evaluate(READ_EDITOR_LAYOUT)).includes(text) || undefined);
}

/** Whether any value the workbench has saved (its own or an extension's global or workspace
 *  state) contains `text`. A string, as above. */
const SAVED_TEXT = (text: string) => `(async () => {
  const text = ${JSON.stringify(text)};
  const scan = (name) => new Promise((resolve) => {
    const open = indexedDB.open(name);
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('ItemTable')) { db.close(); resolve(false); return; }
      const cursor = db.transaction('ItemTable', 'readonly').objectStore('ItemTable').openCursor();
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at) { db.close(); resolve(false); return; }
        if (typeof at.value === 'string' && at.value.includes(text)) { db.close(); resolve(true); return; }
        at.continue();
      };
      cursor.onerror = () => { db.close(); resolve(false); };
    };
  });
  for (const { name } of await indexedDB.databases()) if (name && (await scan(name))) return true;
  return false;
})()`;

/** Waits until something the workbench saved contains `text` (what an extension put in its
 *  global state reaches IndexedDB only when the workbench is idle). */
export async function waitForSavedText(vscode: VsCodeHarness, text: string, what: string): Promise<void> {
  await vscode.waitUntil(`the workbench to save ${what}`, async () => (await vscode.page.evaluate(SAVED_TEXT(text))) === true || undefined);
}
