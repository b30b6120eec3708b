import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { CodeLimits, PatchRef, ProblemRef } from '../net/protocol/codeMessages';
import { Limits } from '../net/protocol/messages';
import { summariseFile } from '../model/code/diffRender';
import { suggestedEdit } from '../model/code/suggestedEdit';
import { parsePatch } from '../model/code/unifiedDiff';
import { inert } from '../model/inertText';
import type { MessageExtras } from '../model/conversationTypes';
import { showInformationMessage, showWarningMessage } from '../views/safeWindow';
import { outgoingPatchProblem } from './gitPatches';
import { changesToSend } from './gitPatchWorkspace';
import { gitHeadText } from './gitProcess';
import { gitApi, GitRepository, repositoryInfo } from './gitWorkspace';
import { NOTHING_SELECTED, readTerminalSelection, ReportedSelection } from './terminalSelection';

/**
 * What the code-aware commands send (issue 28), made from VS Code's state: the changes of a
 * checkout or of an editor selection as a patch, terminal output, a diagnostic. Each returns the
 * message's text and extras, or undefined after telling the user why nothing can be sent.
 */

export interface Outgoing {
  text: string;
  extras: MessageExtras;
}

/**
 * "Send Changes to Peer…": from the view's title (a source control: all changes), a resource
 * group (the staged group: what is staged; the others: the working tree) or selected files (the
 * view passes each as an argument), or the palette (the active file's repository).
 */
export async function changesMessage(args: readonly unknown[]): Promise<Outgoing | undefined> {
  const api = await gitApi();
  if (!api) return tell('Sending changes needs the built-in Git extension, enabled.');
  const scm = args.filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null);
  const files = scm.flatMap((a) => (a.resourceUri instanceof vscode.Uri ? [a.resourceUri] : []));
  const group = scm.find((a) => typeof a.id === 'string' && Array.isArray(a.resourceStates));
  const root = scm.map((a) => a.rootUri).find((u): u is vscode.Uri => u instanceof vscode.Uri);
  const anyUri = files[0] ?? root ?? vscode.window.activeTextEditor?.document.uri;
  const repository = (anyUri && api.getRepository(anyUri)) ?? (api.repositories.length === 1 ? api.repositories[0] : undefined);
  if (!repository) return tell('Open a file of the Git repository whose changes to send (or run this from its Source Control view).');
  const staged = group?.id === 'index';
  const top = repository.rootUri.fsPath;
  const paths = files.map((u) => nodePath.relative(top, u.fsPath).split(nodePath.sep).join('/')).filter((p) => p !== '' && !p.startsWith('..'));
  const made = await changesToSend(repository, { staged, ...(paths.length > 0 ? { paths } : {}) }, CodeLimits.patchChars);
  if ('problem' in made) return tell(`Nothing was sent: ${made.problem}.`);
  const patch = patchRef(made.patch, repository);
  if (!patch) return tell('Nothing was sent: git gave a patch that cannot be read.');
  const what = staged ? 'Staged changes' : paths.length > 0 ? 'Changes' : 'My changes';
  return { text: `${what} to ${patch.files.length === 1 ? patch.files[0]!.path : `${patch.files.length} files`}`, extras: { patch } };
}

/** "Suggest Edit…": the selected lines' changes against the file at HEAD (or as saved, outside git). */
export async function suggestedEditMessage(editor: vscode.TextEditor | undefined): Promise<Outgoing | undefined> {
  if (!editor || editor.document.uri.scheme !== 'file') return tell('Edit the lines in a file, select them, then run Suggest Edit… to send the change.');
  const document = editor.document;
  const api = await gitApi();
  const repository = api?.getRepository(document.uri) ?? undefined;
  const root = repository?.rootUri.fsPath ?? vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath;
  if (root === undefined) return tell('Suggest Edit… works on files in the workspace.');
  const path = nodePath.relative(root, document.uri.fsPath).split(nodePath.sep).join('/');
  const before =
    repository && api
      ? await gitHeadText(api.git.path, root, path)
      : document.isDirty
        ? await fs.readFile(document.uri.fsPath, 'utf8').catch(() => undefined)
        : undefined;
  if (before === undefined)
    return tell(`There is no earlier version of ${path} to compare with (${repository ? 'it is not committed' : 'it has no unsaved changes'}).`);
  const selection = editor.selection;
  const first = selection.start.line + 1;
  const last = Math.max(first, selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1);
  const edit = suggestedEdit(path, before, document.getText(), first, last);
  if (!edit) return tell(`The selected lines of ${path} are unchanged: edit them first, then suggest the edit.`);
  const problem = outgoingPatchProblem(edit.patch, CodeLimits.patchChars);
  if (problem !== undefined) return tell(`Nothing was sent: ${problem}.`);
  const patch = patchRef(edit.patch, repository);
  if (!patch) return tell('Nothing was sent: the edit cannot be made into a patch.');
  return { text: `Suggested edit to ${path}, ${first === last ? `line ${first}` : `lines ${first}–${last}`}`, extras: { patch } };
}

/** "Send Terminal Selection to Peer…": the active terminal's selection, as a terminal block. */
export async function terminalMessage(): Promise<Outgoing | undefined> {
  const terminal = vscode.window.activeTerminal;
  if (!terminal) return tell(NOTHING_SELECTED);
  const read = await readTerminalSelection(
    {
      reported: () => reportedSelection(terminal),
      copySelection: async () => void (await vscode.commands.executeCommand('workbench.action.terminal.copySelection')),
      readClipboard: () => withinTime(vscode.env.clipboard.readText()),
      writeClipboard: async (text) => void (await withinTime(vscode.env.clipboard.writeText(text))),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    Limits.textChars,
  );
  if ('problem' in read) return tell(read.problem);
  return { text: read.text, extras: { block: 'terminal' } };
}

/**
 * `Terminal.selection` is not in the typings of the oldest VS Code this supports (it is a proposal
 * there too), but every VS Code since 1.82 has it: a string, or undefined when nothing is selected.
 */
function reportedSelection(terminal: vscode.Terminal): ReportedSelection {
  if (!('selection' in terminal)) return { supported: false };
  const selection: unknown = terminal.selection;
  return { supported: true, text: typeof selection === 'string' ? selection : undefined };
}

/** "Ask Team About This Problem…": the diagnostic and the lines it is on, as a problem block. */
export async function problemMessage(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<Outgoing | undefined> {
  const document = await vscode.workspace.openTextDocument(uri);
  const api = await gitApi();
  const repository = api?.getRepository(uri) ?? undefined;
  const root = repository?.rootUri.fsPath ?? vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
  const path = root !== undefined ? nodePath.relative(root, uri.fsPath).split(nodePath.sep).join('/') : nodePath.basename(uri.fsPath);
  const line = diagnostic.range.start.line + 1;
  const column = diagnostic.range.start.character + 1;
  const severity = (['error', 'warning', 'info', 'hint'] as const)[diagnostic.severity] ?? 'error';
  const source = diagnostic.source?.slice(0, 64);
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  const message = `${diagnostic.message}${code !== undefined ? ` (${source ?? ''}${String(code)})` : ''}`.slice(0, CodeLimits.problemChars);
  const problem: ProblemRef = { path: path.slice(0, 1024), line, column, severity, message: message || 'problem', ...(source ? { source } : {}) };
  // The lines around the problem, numbered, under its location (what the receiver's links find).
  const from = Math.max(0, line - 3);
  const to = Math.min(document.lineCount - 1, line + 1);
  const numbered = [];
  for (let i = from; i <= to; i++) numbered.push(`${String(i + 1).padStart(5)}${i + 1 === line ? ' > ' : ' | '}${document.lineAt(i).text}`);
  const text = [`${path}:${line}:${column} - ${severity}${source ? ` ${source}` : ''}: ${message}`, '', ...numbered].join('\n').slice(0, Limits.textChars);
  return { text, extras: { block: 'problem', problem } };
}

/** The patch with the sender's summary of its files, and where it is from. */
function patchRef(text: string, repository: GitRepository | undefined): PatchRef | undefined {
  const parsed = parsePatch(text);
  if (!parsed.ok || parsed.files.length === 0 || parsed.files.length > CodeLimits.patchFiles) return undefined;
  const info = repository ? repositoryInfo(repository) : undefined;
  return {
    text,
    files: parsed.files.map((file) => {
      const s = summariseFile(file);
      return {
        path: s.path.slice(0, 1024),
        ...(file.oldPath !== undefined && file.oldPath !== s.path ? { oldPath: file.oldPath.slice(0, 1024) } : {}),
        change: s.change,
        added: s.added,
        removed: s.removed,
        ...(s.binary ? { binary: true as const } : {}),
      };
    }),
    ...(info && info.keys.length > 0 ? { repositories: info.keys.slice(0, CodeLimits.repositories) } : {}),
    ...(info?.head && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(info.head) ? { commit: info.head } : {}),
  };
}

/** The promise's value, or undefined when it takes longer than `ms`. */
function withinTime<T>(promise: Thenable<T>, ms = 3000): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

function tell(text: string): undefined {
  void (/^Nothing was sent/.test(text) ? showWarningMessage(inert`${text}`) : showInformationMessage(inert`${text}`));
  return undefined;
}
