/**
 * Compile-time checks of safeWindow.ts's signatures (type-checked by `npm test`'s `tsc`, never
 * run: it is not a `.test.ts`). Each `@ts-expect-error` line must fail to compile; if a signature
 * ever accepted a plain `string`, tsc would report the directive as unused and `npm test` fails.
 */
import type { InertText } from '../../../src/model/inertText';
import type * as safe from '../../../src/views/safeWindow';

declare const window: typeof safe;
declare const fromPeer: string;
declare const checked: InertText;
declare const location: import('vscode').ProgressLocation;

export function signatures(): void {
  void window.showInformationMessage('Our own words.', 'Accept', 'Decline');
  void window.showInformationMessage(checked, 'Reply');
  void window.showWarningMessage(checked, { modal: true, detail: checked }, 'Trust');
  // @ts-expect-error a peer's string is not our literal
  void window.showInformationMessage(fromPeer);
  // @ts-expect-error nor is a template made of it
  void window.showErrorMessage(`bob: ${fromPeer}`);
  // @ts-expect-error a button label from the network
  void window.showInformationMessage('Offer', fromPeer);
  // @ts-expect-error a modal's detail
  void window.showWarningMessage(checked, { modal: true, detail: fromPeer });

  void window.withProgress({ location, title: checked }, async (progress) => progress.report({ message: 'waiting…' }));
  // @ts-expect-error a progress title
  void window.withProgress({ location, title: fromPeer }, async () => undefined);
  // @ts-expect-error a progress message
  void window.withProgress({ location }, async (progress) => progress.report({ message: fromPeer }));

  // @ts-expect-error a quick pick label
  void window.showQuickPick([{ label: fromPeer }]);
  // @ts-expect-error a quick pick description
  void window.showQuickPick([{ label: checked, description: fromPeer }]);
  // @ts-expect-error a quick pick title
  void window.showQuickPick([{ label: checked }], { title: fromPeer });
  const pick = window.createQuickPick<{ label: InertText }>();
  // @ts-expect-error a quick pick placeholder set later
  pick.placeholder = fromPeer;
  // @ts-expect-error an input box prompt
  void window.showInputBox({ prompt: fromPeer });

  window.setStatusBarMessage('$(link) Copied', 1000);
  window.setStatusBarMessage(checked, 1000);
  // @ts-expect-error a status bar message renders icons
  window.setStatusBarMessage(fromPeer, 1000);
  const item = window.createStatusBarItem('id', 1, 0);
  // @ts-expect-error status bar text renders icons
  item.text = fromPeer;
  // @ts-expect-error a tree label
  window.createTreeItem({ label: fromPeer });
  // @ts-expect-error a tree tooltip
  window.createTreeItem({ label: checked, tooltip: fromPeer });
  const view = window.createTreeView<string>('id', { treeDataProvider: { getTreeItem: () => ({}), getChildren: () => [] } });
  // @ts-expect-error a tree view message
  view.message = fromPeer;
  // @ts-expect-error a webview panel title
  window.createWebviewPanel('type', fromPeer, 1, {});
}
