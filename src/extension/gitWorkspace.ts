import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import type { TextLink } from '../net/protocol/codeMessages';
import type { CodeRef } from '../net/protocol/messages';
import { checkCodeLink, CodeLink, linesOf, snippetHash } from '../model/code/codeLink';
import { repositoryKeys } from '../model/code/repositoryIdentity';
import { inert } from '../model/inertText';
import { showInformationMessage } from '../views/safeWindow';
import { CodeLinkPorts, CodeTarget, RepositoryInfo, resolveCodeLink } from './gitCodeLinks';
import { ReadOnlyDocuments } from './gitReadOnlyDocuments';
import { textLinksFor } from './textCodeLinks';

/** Numbers each comparison's documents apart. */
let compared = 0;

/**
 * Code links in VS Code: repositories through the built-in git extension's API (`vscode.git`,
 * version 1), files through the file system, and the result shown in editors: the lines selected,
 * the shared snippet beside the receiver's version in a diff editor, or the snippet on its own.
 */

/** The part of the git extension's API used here (extensions/git/src/api/git.d.ts). */
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}
export interface GitApi {
  /** The git executable VS Code runs. */
  readonly git: { readonly path: string };
  readonly repositories: readonly GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}
export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: {
    readonly HEAD?: { readonly commit?: string };
    readonly remotes: readonly { readonly name: string; readonly fetchUrl?: string; readonly pushUrl?: string }[];
  };
}

/** Files bigger than this are not read to find shared lines (a link into a generated bundle). */
const MAX_TEXT_BYTES = 8 * 1024 * 1024;

/** The git extension's API, when it is installed and enabled (`git.enabled`); undefined otherwise. */
export async function gitApi(): Promise<GitApi | undefined> {
  const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!extension) return undefined;
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    return exports?.enabled ? exports.getAPI(1) : undefined;
  } catch {
    return undefined;
  }
}

/** A checkout as the resolver sees it: root, remotes' keys, HEAD. */
export function repositoryInfo(repository: GitRepository): RepositoryInfo {
  const root = repository.rootUri.fsPath;
  const head = repository.state.HEAD?.commit;
  return { root, keys: repositoryKeys(repository.state.remotes, root), ...(head ? { head } : {}) };
}

/** The resolver's ports in this window. */
export function codeLinkPorts(): CodeLinkPorts {
  return {
    workspaceFolders: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    repositories: async () => ((await gitApi())?.repositories ?? []).map(repositoryInfo),
    realPath: async (file) => {
      try {
        return await fs.realpath(file);
      } catch {
        return undefined;
      }
    },
    readText: async (file) => {
      try {
        const stat = await fs.stat(file);
        if (!stat.isFile() || stat.size > MAX_TEXT_BYTES) return undefined;
        const text = await fs.readFile(file, 'utf8');
        return text.includes('\u0000') ? undefined : text;
      } catch {
        return undefined;
      }
    },
    findFiles: async (glob, max) => (await vscode.workspace.findFiles(glob, undefined, max)).filter((u) => u.scheme === 'file').map((u) => u.fsPath),
  };
}

/**
 * The link for lines of a document: its repository's keys, HEAD, the path from the repository
 * root and the lines' hash; outside git, the path from its workspace folder and no repository.
 */
export async function codeLinkFor(document: vscode.TextDocument, startLine: number, endLine: number): Promise<CodeLink | undefined> {
  if (document.uri.scheme !== 'file') return undefined;
  const repository = (await gitApi())?.getRepository(document.uri) ?? undefined;
  const info = repository ? repositoryInfo(repository) : undefined;
  const root = info?.root ?? vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath;
  if (root === undefined) return undefined;
  const relative = nodePath.relative(root, document.uri.fsPath).split(nodePath.sep).join('/');
  const lines = linesOf(document.getText(), startLine, endLine);
  const checked = checkCodeLink({
    repositories: info?.keys ?? [],
    ...(info?.head ? { commit: info.head } : {}),
    path: relative,
    startLine,
    endLine,
    ...(lines !== undefined ? { snippetHash: snippetHash(lines) } : {}),
  });
  return checked.ok ? checked.link : undefined;
}

/** Opens a link: the lines in the receiver's checkout, the difference, or the snippet alone. */
export async function openCodeLink(link: CodeLink, snippet: string | undefined, language: string): Promise<void> {
  const target = await resolveCodeLink(link, snippet, codeLinkPorts());
  await showCodeTarget(target, link, snippet, language);
}

/**
 * "Open" on shared code: its repository's keys, commit and hash when the sender's client gave
 * them (issue 28), else the path from the workspace folder; the lines are found after edits
 * above them either way.
 */
export async function openSharedCodeRef(code: CodeRef, text: string): Promise<void> {
  const checked = checkCodeLink({
    repositories: code.repositories ?? [],
    ...(code.commit !== undefined ? { commit: code.commit } : {}),
    path: code.path,
    startLine: code.startLine,
    endLine: Math.max(code.startLine, code.endLine),
    ...(code.snippetHash !== undefined ? { snippetHash: code.snippetHash } : {}),
  });
  if (!checked.ok) return openSnippet(text, code.language);
  await openCodeLink(checked.link, text, code.language);
}

/**
 * Opens a typed `path:line` through the link its message carries (its repository here, the line
 * followed by its hash); false when that repository or file is not here (the caller opens the
 * path as written instead).
 */
export async function openTextLink(link: CodeLink, column?: number): Promise<boolean> {
  const target = await resolveCodeLink(link, undefined, codeLinkPorts());
  if (target.kind === 'snippet') return false;
  if (target.kind !== 'lines' || column === undefined) {
    await showCodeTarget(target, link, undefined, 'plaintext');
    return true;
  }
  // `path:line:column`: the cursor there, as a click on a stack frame puts it.
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(target.file));
  const line = Math.min(target.startLine, document.lineCount) - 1;
  const at = new vscode.Position(line, Math.min(Math.max(column - 1, 0), document.lineAt(line).text.length));
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(at, at), preview: true });
  if (target.moved) void showInformationMessage(inert`Line ${link.startLine} of ${link.path} is line ${target.startLine} in your copy.`);
  return true;
}

/** The links for the `path:line`s in a message about to be sent; none if finding them takes longer than `ms`. */
export async function textLinksInWorkspace(text: string, ms = 1500): Promise<TextLink[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<TextLink[]>((resolve) => (timer = setTimeout(() => resolve([]), ms)));
  try {
    return await Promise.race([textLinksFor(text, codeLinkPorts()).catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function showCodeTarget(target: CodeTarget, link: CodeLink, snippet: string | undefined, language: string): Promise<void> {
  if (target.kind === 'snippet') {
    if (snippet !== undefined) await openSnippet(snippet, language);
    else void showInformationMessage(inert`${link.path}, line ${link.startLine}: ${target.reason}.`);
    return;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(target.file));
  const last = Math.min(target.endLine, document.lineCount) - 1;
  const range = new vscode.Range(Math.min(target.startLine - 1, last), 0, last, document.lineAt(last).text.length);
  await vscode.window.showTextDocument(document, { selection: range, preview: true });
  if (target.kind === 'lines') {
    if (target.moved) {
      void showInformationMessage(
        inert`The shared lines of ${link.path} are at lines ${target.startLine}–${target.endLine} in your copy (shared from ${link.startLine}–${link.endLine}).`,
      );
    }
    return;
  }
  const compare = inert`Compare with Shared Snippet`;
  const choice = await showInformationMessage(
    inert`Your copy of ${link.path} no longer has the shared lines; opened your version at lines ${link.startLine}–${link.endLine}.`,
    compare,
  );
  if (choice === compare && snippet !== undefined) await compareWithSnippet(target, link, snippet, language);
}

/** The shared snippet beside the receiver's lines at the same place, in a diff editor. */
async function compareWithSnippet(target: Extract<CodeTarget, { kind: 'differs' }>, link: CodeLink, snippet: string, language: string): Promise<void> {
  const lineCount = target.text.split('\n').length;
  const theirs = linesOf(target.text, Math.min(link.startLine, lineCount), Math.min(lineCount, Math.max(link.endLine, link.startLine))) ?? '';
  const languages = await vscode.languages.getLanguages();
  const languageId = languages.includes(language) ? language : 'plaintext';
  // A selection that ended at a line's start carries its newline: not a difference to show.
  const shared = snippet.replace(/\r?\n$/, '');
  // Read-only documents (nothing asks to be saved on close); untitled ones when there is no provider.
  const documents = ReadOnlyDocuments.active;
  const name = nodePath.basename(link.path);
  const at = `${++compared}`;
  const left = documents
    ? documents.open(`/compare/${at}/shared/${name}`, shared)
    : (await vscode.workspace.openTextDocument({ content: shared, language: languageId })).uri;
  const right = documents
    ? documents.open(`/compare/${at}/yours/${name}`, theirs)
    : (await vscode.workspace.openTextDocument({ content: theirs, language: languageId })).uri;
  const title = inert`${name}: shared ↔ yours (lines ${link.startLine}–${link.endLine})`;
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
}

async function openSnippet(text: string, language: string): Promise<void> {
  const languages = await vscode.languages.getLanguages();
  const document = await vscode.workspace.openTextDocument({ content: text, language: languages.includes(language) ? language : 'plaintext' });
  await vscode.window.showTextDocument(document, { preview: true });
}
