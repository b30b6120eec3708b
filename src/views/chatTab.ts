import * as vscode from 'vscode';

/**
 * The chat's tab as VS Code restored it after a window reload. VS Code brings back a webview
 * panel's tab at once but builds the panel (calls our serializer) only when the tab is shown:
 * until then there is a tab and no ChatPanel. Opening the chat must show that tab, not add a
 * second one; the API cannot activate a tab, so its group is focused and the tab opened by index.
 */

const FOCUS_GROUP = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth'].map((n) => `workbench.action.focus${n}EditorGroup`);

/** The tab of a webview panel of `viewType` (VS Code may prefix the type it reports). */
export function findWebviewTab(viewType: string): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputWebview && (tab.input.viewType === viewType || tab.input.viewType.endsWith(`-${viewType}`))) return tab;
    }
  }
  return undefined;
}

/** Makes `tab` the active editor (which has VS Code build its panel). */
export async function showTab(tab: vscode.Tab): Promise<void> {
  const focusGroup = FOCUS_GROUP[tab.group.viewColumn - 1];
  if (focusGroup) await vscode.commands.executeCommand(focusGroup);
  await vscode.commands.executeCommand('workbench.action.openEditorAtIndex', tab.group.tabs.indexOf(tab));
}

/** Closes a tab whose panel never came (the fallback before opening a fresh one). */
export async function closeTab(tab: vscode.Tab): Promise<void> {
  await vscode.window.tabGroups.close(tab).then(undefined, () => undefined);
}
