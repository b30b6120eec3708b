import * as nodePath from 'node:path';
import { checkCodeLink, CodeLink } from './codeLink';
import type { FileLocation } from './fileLocations';

/**
 * The receiver's half of typed `path:line` links (issue 28): a message carries, beside its text,
 * where the sender's workspace found each `path:line` in it (src/extension/textCodeLinks.ts);
 * a `path:line` seen in the text is tied to its link by the path as written and the line.
 */

/** A message's link for one `path:line` (the protocol's TextLink, src/net/protocol/codeMessages.ts). */
export interface SentTextLink {
  written: string;
  line: number;
  repositories?: string[];
  commit?: string;
  path: string;
  snippetHash?: string;
}

/**
 * The link a message carries for a `path:line` found in its text (the same path as written, the
 * same line), checked again as any peer's link is; undefined when it carries none for it.
 */
export function sentLinkFor(links: readonly SentTextLink[] | undefined, location: Pick<FileLocation, 'path' | 'line'>): CodeLink | undefined {
  const sent = links?.find((link) => link.line === location.line && samePath(link.written, location.path));
  if (!sent) return undefined;
  const checked = checkCodeLink({
    repositories: sent.repositories ?? [],
    ...(sent.commit !== undefined ? { commit: sent.commit } : {}),
    path: sent.path,
    startLine: sent.line,
    endLine: sent.line,
    ...(sent.snippetHash !== undefined ? { snippetHash: sent.snippetHash } : {}),
  });
  return checked.ok ? checked.link : undefined;
}

/** The same path up to how a link writes it (`./a.ts` for `a.ts`, `\` for `/`). */
function samePath(written: string, seen: string): boolean {
  const plain = (path: string) => nodePath.posix.normalize(path.replace(/\\/g, '/'));
  return written === seen || plain(written) === plain(seen);
}
