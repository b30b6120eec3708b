import * as nodePath from 'node:path';
import { checkCodeLink, linesOf, snippetHash } from '../model/code/codeLink';
import { FileLocation, findFileLocations, mayHaveFileLocations } from '../model/code/fileLocations';
import { isInside } from '../model/code/workspacePaths';
import { CodeLimits, TextLink } from '../net/protocol/codeMessages';
import { CodeLinkPorts, resolveLocation } from './gitCodeLinks';

/**
 * `path:line`s a person types or pastes (issue 28), made to survive the trip like shared code.
 * The sender's side finds each in its own workspace and sends where it points (repository keys,
 * commit, path from the repository root, the line's hash) beside the text; the receiver's side
 * finds the same `path:line` in the text again (src/model/code/textLinks.ts) and opens it through
 * that (gitCodeLinks.ts resolveCodeLink: same repository, the line followed if it moved). No `vscode` here.
 */

/** Locations looked up per message: a pasted log names many, only the first few are worth a lookup each. */
const MAX_LOOKUPS = 3 * CodeLimits.textLinks;

/** The links for the `path:line`s in `text` that are files in this workspace, each place once, at most CodeLimits.textLinks. */
export async function textLinksFor(text: string, ports: CodeLinkPorts): Promise<TextLink[]> {
  if (!mayHaveFileLocations(text)) return [];
  const links: TextLink[] = [];
  const seen = new Set<string>();
  let lookups = 0;
  for (const location of findFileLocations(text)) {
    if (links.length >= CodeLimits.textLinks || lookups >= MAX_LOOKUPS) break;
    const key = `${location.line}:${location.path}`;
    if (seen.has(key) || location.path.length > 1024) continue;
    seen.add(key);
    lookups++;
    const link = await linkFor(location, ports);
    if (link) links.push(link);
  }
  return links;
}

/** The link sent for one location, or undefined when it is no file of this workspace. */
async function linkFor(location: FileLocation, ports: CodeLinkPorts): Promise<TextLink | undefined> {
  const found = await resolveLocation(location, ports);
  if (!found) return undefined;
  const where = await placeOf(found.file, ports);
  if (!where) return undefined;
  const text = await ports.readText(found.file);
  const line = text !== undefined ? linesOf(text, location.line, location.line) : undefined;
  const checked = checkCodeLink({
    repositories: where.keys,
    ...(where.head !== undefined ? { commit: where.head } : {}),
    path: where.relative,
    startLine: location.line,
    endLine: location.line,
    ...(line !== undefined ? { snippetHash: snippetHash(line) } : {}),
  });
  if (!checked.ok) return undefined;
  const link = checked.link;
  const parsed = TextLink.safeParse({
    written: location.path,
    line: location.line,
    ...(link.repositories.length > 0 ? { repositories: link.repositories.slice(0, CodeLimits.repositories) } : {}),
    ...(link.commit !== undefined ? { commit: link.commit } : {}),
    path: link.path,
    ...(link.snippetHash !== undefined ? { snippetHash: link.snippetHash } : {}),
  });
  return parsed.success ? parsed.data : undefined;
}

/** The file's repository (the innermost checkout holding it) and its path there; else its workspace folder's. */
async function placeOf(file: string, ports: CodeLinkPorts): Promise<{ keys: string[]; head?: string; relative: string } | undefined> {
  let best: { root: string; keys: string[]; head?: string } | undefined;
  for (const repository of await ports.repositories()) {
    const root = (await ports.realPath(repository.root)) ?? repository.root;
    if ((isInside(root, file) || root === file) && (!best || root.length > best.root.length)) best = { ...repository, root };
  }
  if (best) return { keys: best.keys, ...(best.head !== undefined ? { head: best.head } : {}), relative: relativeTo(best.root, file) };
  for (const folder of ports.workspaceFolders()) {
    const root = (await ports.realPath(folder)) ?? folder;
    if (isInside(root, file)) return { keys: [], relative: relativeTo(root, file) };
  }
  return undefined;
}

function relativeTo(root: string, file: string): string {
  return nodePath.relative(root, file).split(nodePath.sep).join('/');
}
