import * as nodePath from 'node:path';
import { CodeLink, linesOf, relocateLineByHash, snippetHash } from '../model/code/codeLink';
import { FileLocation } from '../model/code/fileLocations';
import { sameRepository } from '../model/code/repositoryIdentity';
import { relocateSnippet } from '../model/code/snippetRelocation';
import { isInside, joinInside, locationCandidates, tailGlob } from '../model/code/workspacePaths';

/**
 * Where a code link (or a `path:line` seen in a message) lands in this window: the same
 * repository among the workspace folders (by its remotes' keys), the file below that checkout's
 * root, and the lines, followed when they moved. Never a file outside the workspace folders, even
 * through a symbolic link. No `vscode` here: gitWorkspace.ts gives VS Code's ports, tests give real
 * folders with fake repository lists.
 */

export interface RepositoryInfo {
  /** The checkout's root folder (absolute). */
  root: string;
  /** Its remotes' keys (repositoryKeys). */
  keys: string[];
  /** HEAD's commit, when there is one. */
  head?: string;
}

export interface CodeLinkPorts {
  /** The workspace folders' paths (absolute). */
  workspaceFolders(): readonly string[];
  /** The git checkouts VS Code's git extension knows (empty without git). */
  repositories(): Promise<readonly RepositoryInfo[]>;
  /** A file's text; undefined when it is missing, not a file, or not text. */
  readText(file: string): Promise<string | undefined>;
  /** The path with symbolic links resolved; undefined when it does not exist. */
  realPath(file: string): Promise<string | undefined>;
  /** Files whose path ends with a glob's tail, inside the workspace (VS Code's findFiles). */
  findFiles?(glob: string, max: number): Promise<readonly string[]>;
}

export type CodeTarget =
  /** The file, at the lines to show: `moved` when they are not where the link said. */
  | { kind: 'lines'; file: string; text: string; startLine: number; endLine: number; moved: boolean; checked: 'hash' | 'exact' | 'whitespace' | 'unchecked' }
  /** The file is there but no longer holds the shared lines: show them side by side. */
  | { kind: 'differs'; file: string; text: string; startLine: number; endLine: number }
  /** Nothing here to open: show the snippet on its own, saying why. */
  | { kind: 'snippet'; reason: string };

/**
 * Resolves a link. `snippet` is the text that was shared (the message's), used to find the lines
 * when the file changed; a link typed as `path:line` has none and opens at its line.
 */
export async function resolveCodeLink(link: CodeLink, snippet: string | undefined, ports: CodeLinkPorts): Promise<CodeTarget> {
  const folders = await realFolders(ports);
  if (folders.length === 0) return { kind: 'snippet', reason: 'no folder is open in this window' };
  const roots = await rootsFor(link, folders, ports);
  if (roots.length === 0) return { kind: 'snippet', reason: `no checkout of ${link.repositories[0]} is open in this window` };
  for (const root of roots) {
    for (const relative of relativeForms(link.path, root)) {
      const file = joinInside(root, relative, flavour());
      const found = file !== undefined ? await readInside(file, folders, ports) : undefined;
      if (found) return place(found.file, found.text, link, snippet);
    }
  }
  return { kind: 'snippet', reason: `${link.path} is not in ${roots.length === 1 ? 'your checkout' : 'your checkouts'}` };
}

/** The file a `path:line` from terminal output or a stack trace means here, or undefined. */
export async function resolveLocation(
  location: Pick<FileLocation, 'path' | 'line' | 'column'>,
  ports: CodeLinkPorts,
): Promise<{ file: string; line: number; column?: number } | undefined> {
  const folders = await realFolders(ports);
  const at = (file: string) => ({ file, line: location.line, ...(location.column !== undefined ? { column: location.column } : {}) });
  for (const candidate of locationCandidates(folders, location.path, flavour())) {
    const found = await readInside(candidate, folders, ports);
    if (found) return at(found.file);
  }
  // Java names files by package (`com/example/Foo.java`): look for that tail at any depth.
  const tail = location.path.replace(/\\/g, '/').replace(/^(?:[A-Za-z]:)?\/+/, '');
  const glob = tailGlob(tail);
  if (glob === undefined || !ports.findFiles) return undefined;
  for (const file of await ports.findFiles(glob, 5)) {
    const found = await readInside(file, folders, ports);
    if (found) return at(found.file);
  }
  return undefined;
}

/** The lines in the file: by hash at the link's range, else found by the snippet, else as they are. */
function place(file: string, text: string, link: CodeLink, snippet: string | undefined): CodeTarget {
  const atRange = linesOf(text, link.startLine, link.endLine);
  if (link.snippetHash !== undefined && atRange !== undefined && snippetHash(atRange) === link.snippetHash) {
    return { kind: 'lines', file, text, startLine: link.startLine, endLine: link.endLine, moved: false, checked: 'hash' };
  }
  if (snippet !== undefined && snippet.trim() !== '') {
    const found = relocateSnippet(text, snippet, link.startLine);
    if (found) return { kind: 'lines', file, text, startLine: found.startLine, endLine: found.endLine, moved: found.moved, checked: found.match };
    return { kind: 'differs', file, text, startLine: link.startLine, endLine: link.endLine };
  }
  if (link.snippetHash !== undefined && link.startLine === link.endLine) {
    // A typed `path:line` carries its line's hash only: followed by that.
    const found = relocateLineByHash(text, link.snippetHash, link.startLine);
    if (found !== undefined) return { kind: 'lines', file, text, startLine: found, endLine: found, moved: found !== link.startLine, checked: 'hash' };
  }
  if (link.snippetHash !== undefined) return { kind: 'differs', file, text, startLine: link.startLine, endLine: link.endLine };
  // A typed `path:line`: nothing to check against, the line as it is now (within the file).
  const lineCount = text.split('\n').length;
  const startLine = Math.min(link.startLine, lineCount);
  return { kind: 'lines', file, text, startLine, endLine: Math.max(startLine, Math.min(link.endLine, lineCount)), moved: false, checked: 'unchecked' };
}

/**
 * The roots a link's path is relative to: checkouts of its repository that are in (or hold) a
 * workspace folder, HEAD at the link's commit first; for a link without a repository, the
 * workspace folders themselves.
 */
async function rootsFor(link: CodeLink, folders: readonly string[], ports: CodeLinkPorts): Promise<string[]> {
  if (link.repositories.length === 0) return [...folders];
  const matching = (await ports.repositories()).filter((repository) => sameRepository(repository.keys, link.repositories));
  const roots: { root: string; sameCommit: boolean }[] = [];
  for (const repository of matching) {
    const root = (await ports.realPath(repository.root)) ?? repository.root;
    const overlaps = folders.some((folder) => isInside(folder, root, flavour()) || isInside(root, folder, flavour()));
    if (overlaps && !roots.some((r) => r.root === root)) roots.push({ root, sameCommit: link.commit !== undefined && repository.head === link.commit });
  }
  return roots.sort((a, b) => Number(b.sameCommit) - Number(a.sameCommit)).map((r) => r.root);
}

/**
 * A link's path as it may be relative to a root: as it is, and (in a multi-root workspace, where
 * VS Code names files `folder/…`) without a first part that is the root's own name.
 */
function relativeForms(path: string, root: string): string[] {
  const parts = path.split('/');
  const forms = [path];
  if (parts.length > 1 && parts[0] === nodePath.basename(root)) forms.push(parts.slice(1).join('/'));
  return forms;
}

/** The file's text when it really is inside a workspace folder (symbolic links followed). */
async function readInside(file: string, folders: readonly string[], ports: CodeLinkPorts): Promise<{ file: string; text: string } | undefined> {
  const real = await ports.realPath(file);
  if (real === undefined || !folders.some((folder) => isInside(folder, real, flavour()))) return undefined;
  const text = await ports.readText(real);
  return text !== undefined ? { file: real, text } : undefined;
}

async function realFolders(ports: CodeLinkPorts): Promise<string[]> {
  const folders: string[] = [];
  for (const folder of ports.workspaceFolders()) folders.push((await ports.realPath(folder)) ?? folder);
  return folders;
}

function flavour(): 'posix' | 'win32' {
  return nodePath.sep === '\\' ? 'win32' : 'posix';
}
