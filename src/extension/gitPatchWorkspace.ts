import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { sameRepository } from '../model/code/repositoryIdentity';
import { Disposable } from '../model/lifecycle';
import { inert } from '../model/inertText';
import { showInformationMessage, showWarningMessage } from '../views/safeWindow';
import { formatCounts, PatchSummary, summarisePatch } from '../model/code/diffRender';
import { parsePatch } from '../model/code/unifiedDiff';
import { checkPatchPaths, describePlan, outgoingPatchProblem, PatchPlan, PatchPorts, planPatch, ReadResult } from './gitPatches';
import { gitApplyThreeWay, GitApplyResult } from './gitApply';
import { gitBlob, gitDiff, gitMergeFile } from './gitProcess';
import { gitApi, GitRepository, repositoryInfo } from './gitWorkspace';
import { ReadOnlyDocuments } from './gitReadOnlyDocuments';

/**
 * Patches in VS Code: the changes of a checkout made into a patch to send ("Send Changes to
 * Peer…"), and a received patch previewed (a diff editor per file) or applied: by `git apply
 * --3way` in a git checkout (gitApply.ts), else as one WorkspaceEdit, which open editors and undo
 * see, after planPatch found it applies whole.
 */

/** Read-only documents showing a patch's result beside each file, for Preview. */
export class PatchPreviews extends Disposable {
  private readonly documents = this._register(new ReadOnlyDocuments());
  private next = 0;

  /** A diff editor per planned file: the user's version on the left, the patched one on the right. */
  async show(plan: Extract<PatchPlan, { ok: true }>): Promise<void> {
    const preview = ++this.next;
    // Beside the chat (where Preview was pressed), so its Apply stays in view; all files in one group.
    const viewColumn = (vscode.window.tabGroups.activeTabGroup.viewColumn ?? vscode.ViewColumn.One) + 1;
    for (const file of plan.files) {
      const after = this.document(`/${preview}/after/${file.path}`, file.text ?? '');
      const exists = file.change !== 'added';
      const before = exists ? vscode.Uri.file(file.removeFile ?? file.file) : this.document(`/${preview}/before/${file.path}`, '');
      const title = inert`${file.path} (${file.change === 'deleted' ? 'deleted by' : 'with'} the shared patch)`;
      await vscode.commands.executeCommand('vscode.diff', before, after, title, { preview: false, viewColumn });
    }
  }

  private document(path: string, text: string): vscode.Uri {
    return this.documents.open(path, text);
  }
}

/** The checkout a patch is for: one with a remote key in common, else the only one (or folder) open. */
export async function patchRoot(repositories: readonly string[]): Promise<string | undefined> {
  const open = ((await gitApi())?.repositories ?? []).map(repositoryInfo);
  const matching = repositories.length > 0 ? open.filter((r) => sameRepository(r.keys, repositories)) : open;
  if (matching.length > 0) return matching[0]!.root;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  return repositories.length === 0 && folders.length === 1 ? folders[0]!.uri.fsPath : undefined;
}

/** Plans a received patch against `root` and shows it, file by file, without changing anything. */
export async function previewPatch(patchText: string, root: string, previews: PatchPreviews): Promise<void> {
  const plan = await planPatch(patchText, root, await patchPorts());
  if (!plan.ok) return void reportPlan(plan);
  await previews.show(plan);
}

/**
 * Applies a received patch to `root` whole, or changes nothing and says why: in a git checkout
 * by git itself (`git apply --3way`, conflicts left as markers to resolve), elsewhere as one
 * WorkspaceEdit that open editors and undo see.
 */
export async function applyPatchText(patchText: string, root: string): Promise<boolean> {
  const gitPath = await checkoutGit(root);
  if (gitPath !== undefined) return applyWithGit(patchText, root, gitPath);
  const plan = await planPatch(patchText, root, await patchPorts());
  if (!plan.ok) {
    void reportPlan(plan);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  // Files the user had no unsaved edits in are saved after the edit, as `git apply` would leave them.
  const dirty = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
  for (const file of plan.files) {
    const uri = vscode.Uri.file(file.file);
    if (file.text === undefined) edit.deleteFile(uri, { ignoreIfNotExists: false });
    else if (file.change === 'added' || file.removeFile !== undefined)
      edit.createFile(uri, { overwrite: false, contents: new TextEncoder().encode(file.text) });
    else edit.replace(uri, await wholeRange(uri), file.text);
    if (file.removeFile !== undefined) edit.deleteFile(vscode.Uri.file(file.removeFile), { ignoreIfNotExists: false });
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    void showWarningMessage(inert`The patch could not be written; nothing was changed.`);
    return false;
  }
  for (const file of plan.files) {
    const uri = vscode.Uri.file(file.file);
    const document =
      file.text !== undefined && !dirty.has(uri.toString()) ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : undefined;
    if (document?.isDirty) await document.save();
  }
  // A notification shows no detail: what applied is said in its one line.
  void showInformationMessage(inert(describePlan(plan).join(' · '), { maxChars: 1000 }));
  return true;
}

/** The git to run when `root` is the root of a checkout the git extension knows; else undefined. */
async function checkoutGit(root: string): Promise<string | undefined> {
  const api = await gitApi();
  if (!api) return undefined;
  const real = async (path: string) => fs.realpath(path).catch(() => path);
  const target = await real(root);
  for (const repository of api.repositories) if ((await real(repository.rootUri.fsPath)) === target) return api.git.path;
  return undefined;
}

/** `git apply --3way` after the same path checks as Preview, refusing files with unsaved edits (git writes to disk). */
async function applyWithGit(patchText: string, root: string, gitPath: string): Promise<boolean> {
  const refuse = (problem: string) => {
    void reportPlan({ ok: false, problem, conflicts: [], applicable: [] });
    return false;
  };
  const parsed = parsePatch(patchText);
  if (!parsed.ok) return refuse(`the patch cannot be read (line ${parsed.line}: ${parsed.problem})`);
  const checked = await checkPatchPaths(parsed.files, root, await patchPorts());
  if (!checked.ok) {
    void reportPlan(checked.plan);
    return false;
  }
  const named = new Set(parsed.files.flatMap((f) => [f.oldPath, f.newPath]).filter((p): p is string => p !== undefined));
  const outside = [...named].filter((path) => !checked.files.has(path));
  if (outside.length > 0) return refuse(`it names paths outside the checkout (${outside.join(', ')})`);
  const files = new Set(checked.files.values());
  const unsaved = vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && files.has(d.uri.fsPath));
  if (unsaved.length > 0) return refuse(`save or revert ${unsaved.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')} first`);
  const result = await gitApplyThreeWay(gitPath, checked.realRoot, patchText, [...named]);
  const summary = summarisePatch(parsed.files);
  void showGitApplyResult(result, summary, checked.realRoot);
  return result.ok;
}

async function showGitApplyResult(result: GitApplyResult, summary: PatchSummary, root: string): Promise<void> {
  if (!result.ok) return void showWarningMessage(inert`The shared patch was not applied. Nothing was changed: git says ${result.problem}.`);
  const paths = summary.files.map((f) => f.path).join(', ');
  if (result.unchanged) return void showWarningMessage(inert`The shared patch was not applied. Nothing was changed: its changes are already in ${paths}.`);
  const files = summary.files.length;
  // The same first words as a WorkspaceEdit's report: "Applied 2 files (+3 −1)."
  const head = `Applied ${files} ${files === 1 ? 'file' : 'files'} (${formatCounts(summary.added, summary.removed)}).`;
  if (result.conflicted.length === 0) return void showInformationMessage(inert`${head} ${paths}`);
  const open = inert`Open Conflicts`;
  const choice = await showWarningMessage(
    inert`${head} ${result.conflicted.length} with conflicts to resolve (marked in the file, as git leaves them): ${result.conflicted.join(', ')}.`,
    open,
  );
  if (choice !== open) return;
  for (const path of result.conflicted) await vscode.window.showTextDocument(vscode.Uri.file(nodePath.join(root, path)), { preview: false });
}

/** The checkout's changes as a patch to send, or the reason they cannot be sent. */
export async function changesToSend(
  repository: GitRepository,
  options: { staged: boolean; paths?: string[] },
  maxChars: number,
): Promise<{ patch: string } | { problem: string }> {
  const api = await gitApi();
  if (!api) return { problem: 'the git extension is not enabled' };
  const patch = await gitDiff(api.git.path, repository.rootUri.fsPath, options);
  const problem = outgoingPatchProblem(patch, maxChars);
  return problem !== undefined ? { problem } : { patch };
}

function reportPlan(plan: PatchPlan): Thenable<unknown> {
  // A notification shows no detail: the reasons go in its one line.
  return showWarningMessage(inert(`The shared patch was not applied. ${describePlan(plan).join(' ')}`, { maxChars: 1000 }));
}

async function wholeRange(uri: vscode.Uri): Promise<vscode.Range> {
  const document = await vscode.workspace.openTextDocument(uri);
  return new vscode.Range(0, 0, document.lineCount, 0);
}

/** Files as the user sees them (an open editor's unsaved text first), git for three-way merges. */
async function patchPorts(): Promise<PatchPorts> {
  const gitPath = (await gitApi())?.git.path;
  return {
    workspaceFolders: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    realPath: (file) => fs.realpath(file).catch(() => undefined),
    read: async (file): Promise<ReadResult> => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
      if (open) return { kind: 'text', text: open.getText() };
      try {
        const stat = await fs.stat(file);
        if (!stat.isFile()) return { kind: 'unreadable', why: 'not a file' };
        if (stat.size > 8 * 1024 * 1024) return { kind: 'unreadable', why: 'larger than 8 MB' };
        const text = await fs.readFile(file, 'utf8');
        return text.includes('\u0000') ? { kind: 'unreadable', why: 'a binary file' } : { kind: 'text', text };
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', why: (err as Error).message };
      }
    },
    ...(gitPath !== undefined
      ? {
          blob: (root: string, id: string) => gitBlob(gitPath, root, id),
          merge: (ours: string, base: string, theirs: string) => gitMergeFile(gitPath, ours, base, theirs),
        }
      : {}),
  };
}
