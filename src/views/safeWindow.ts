import * as vscode from 'vscode';
import type { InertText } from '../model/inertText';

/**
 * The only door to the VS Code sinks that render markdown links or `$(icons)`: notifications,
 * progress, quick picks, input boxes, the status bar item and its messages, tree items and views,
 * webview panel titles. Each takes text typed `InertText` (it went through `inert`) or, where the
 * extension passes its own words, a string literal type: a `string` from anywhere else does not
 * compile.
 * `test/unit/views/sinks.test.ts` fails when code outside this file reaches those sinks directly.
 */

/** Our own string literal, or text that went through `inert`: never an arbitrary `string`. */
export type Shown<T extends string> = T & (string extends T ? InertText : unknown);

export interface SafeMessageOptions {
  modal?: boolean;
  /** A modal's second paragraph (`inert(text, { multiline: true })` keeps its lines). */
  detail?: InertText;
}

type Show = {
  <T extends string, M extends string>(message: Shown<M>, ...items: Shown<T>[]): Thenable<T | undefined>;
  <T extends string, M extends string>(message: Shown<M>, options: SafeMessageOptions, ...items: Shown<T>[]): Thenable<T | undefined>;
};

export const showInformationMessage: Show = (message: string, ...rest: unknown[]) => vscode.window.showInformationMessage(message, ...(rest as string[]));
export const showWarningMessage: Show = (message: string, ...rest: unknown[]) => vscode.window.showWarningMessage(message, ...(rest as string[]));
export const showErrorMessage: Show = (message: string, ...rest: unknown[]) => vscode.window.showErrorMessage(message, ...(rest as string[]));

/** What a progress notification reports: its message is rendered like a notification's. */
export interface SafeProgress {
  report<M extends string>(value: { message?: Shown<M>; increment?: number }): void;
}

export function withProgress<R, T extends string>(
  options: { location: vscode.ProgressLocation; title?: Shown<T>; cancellable?: boolean },
  task: (progress: SafeProgress, token: vscode.CancellationToken) => Thenable<R>,
): Thenable<R> {
  return vscode.window.withProgress(options, (progress, token) => task(progress as SafeProgress, token));
}

/** A quick pick item whose texts are inert (labels and descriptions render `$(icons)`). */
export type SafeQuickPickItem = Omit<vscode.QuickPickItem, 'label' | 'description' | 'detail'> & {
  label: InertText;
  description?: InertText;
  detail?: InertText;
};

export interface SafeQuickPickOptions {
  title?: InertText;
  placeHolder?: InertText;
  matchOnDescription?: boolean;
  ignoreFocusOut?: boolean;
}

export function showQuickPick<T extends SafeQuickPickItem>(
  items: readonly T[],
  options: SafeQuickPickOptions & { canPickMany: true },
): Thenable<T[] | undefined>;
export function showQuickPick<T extends SafeQuickPickItem>(items: readonly T[], options?: SafeQuickPickOptions): Thenable<T | undefined>;
export function showQuickPick<T extends SafeQuickPickItem>(
  items: readonly T[],
  options?: SafeQuickPickOptions & { canPickMany?: boolean },
): Thenable<T | T[] | undefined> {
  return vscode.window.showQuickPick(items as unknown as vscode.QuickPickItem[], options) as Thenable<T | T[] | undefined>;
}

/** A QuickPick whose shown texts can only be set to inert text. */
export type SafeQuickPick<T extends SafeQuickPickItem> = Omit<vscode.QuickPick<T & vscode.QuickPickItem>, 'title' | 'placeholder' | 'prompt'> & {
  title: InertText | undefined;
  placeholder: InertText | undefined;
  prompt: InertText | undefined;
};

export function createQuickPick<T extends SafeQuickPickItem>(): SafeQuickPick<T> {
  return vscode.window.createQuickPick<T & vscode.QuickPickItem>() as unknown as SafeQuickPick<T>;
}

export interface SafeInputBoxOptions {
  title?: InertText;
  prompt?: InertText;
  placeHolder?: InertText;
  /** What the box starts with: the user edits it, VS Code does not render it. */
  value?: string;
  password?: boolean;
  ignoreFocusOut?: boolean;
  validateInput?: (value: string) => InertText | undefined;
}

export function showInputBox(options: SafeInputBoxOptions): Thenable<string | undefined> {
  return vscode.window.showInputBox(options);
}

/** A status bar item whose text (which renders `$(icons)`) and tooltip are inert. */
export type SafeStatusBarItem = Omit<vscode.StatusBarItem, 'text' | 'tooltip'> & { text: InertText; tooltip: InertText | undefined };

export function createStatusBarItem(id: string, alignment: vscode.StatusBarAlignment, priority: number): SafeStatusBarItem {
  return vscode.window.createStatusBarItem(id, alignment, priority) as unknown as SafeStatusBarItem;
}

/** A passing word in the status bar (it renders `$(icons)`), gone after `hideAfterMs`. */
export function setStatusBarMessage<T extends string>(text: Shown<T>, hideAfterMs: number): vscode.Disposable {
  return vscode.window.setStatusBarMessage(text, hideAfterMs);
}

/** A tree item's shown texts: plain strings (never a MarkdownString: peers' names live here). */
export interface SafeTreeItemTexts {
  label: InertText;
  description?: InertText;
  tooltip?: InertText;
  accessibilityLabel?: InertText;
}

export function createTreeItem(
  texts: SafeTreeItemTexts,
  rest: Omit<vscode.TreeItem, 'label' | 'description' | 'tooltip' | 'accessibilityInformation'> = {},
): vscode.TreeItem {
  const item = new vscode.TreeItem(texts.label, rest.collapsibleState ?? vscode.TreeItemCollapsibleState.None);
  Object.assign(item, rest);
  if (texts.description !== undefined) item.description = texts.description;
  if (texts.tooltip !== undefined) item.tooltip = texts.tooltip;
  if (texts.accessibilityLabel !== undefined) item.accessibilityInformation = { label: texts.accessibilityLabel };
  return item;
}

/** A tree view whose message, title, description and badge tooltip are inert. */
export type SafeTreeView<T> = Omit<vscode.TreeView<T>, 'message' | 'title' | 'description' | 'badge'> & {
  message: InertText | undefined;
  title: InertText | undefined;
  description: InertText | undefined;
  badge: { value: number; tooltip: InertText } | undefined;
};

export function createTreeView<T>(id: string, options: vscode.TreeViewOptions<T>): SafeTreeView<T> {
  return vscode.window.createTreeView(id, options) as unknown as SafeTreeView<T>;
}

/** A webview panel; its title shows in the editor tab. */
export function createWebviewPanel<T extends string>(
  viewType: string,
  title: Shown<T>,
  column: vscode.ViewColumn,
  options: vscode.WebviewPanelOptions & vscode.WebviewOptions,
): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, column, options);
}
