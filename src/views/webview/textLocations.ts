import { findFileLocations, mayHaveFileLocations } from '../../model/code/fileLocations';
import { linkKind } from './markdownLinks';

/**
 * The `path:line[:col]` spans a person typed or pasted in a message's ordinary text (issue 28),
 * each with the href a markdown file link to it would have, so a click posts the same
 * `open-link` and the extension's linkTargets resolves it the same way (`:12` selects line 12).
 * Pure: markdownDom.ts turns the spans into links.
 */

export interface TextLocation {
  /** UTF-16 offsets in the text, end exclusive. */
  start: number;
  end: number;
  href: string;
}

/** At most `max` spans, in order; a path open-link could not resolve in a workspace stays text. */
export function textLocations(text: string, max: number): TextLocation[] {
  if (max <= 0 || !mayHaveFileLocations(text)) return [];
  const out: TextLocation[] = [];
  for (const location of findFileLocations(text)) {
    if (out.length >= max) break;
    const href = hrefFor(location.path, location.line, location.column);
    if (href !== undefined) out.push({ start: location.start, end: location.end, href });
  }
  return out;
}

function hrefFor(path: string, line: number, column: number | undefined): string | undefined {
  // open-link resolves against the receiver's workspace folders: the sender's absolute path
  // (/home/bob/…, C:\…, ~/…) would name another file or none, and `..` is refused there anyway.
  if (/^(?:[\\/~]|[A-Za-z]:)/.test(path) || /(?:^|[\\/])\.\.(?:[\\/]|$)/.test(path)) return undefined;
  // A path's own %, #, ? and spaces would read as an escape, fragment, query or the link's end.
  let href = `${path.replace(/[%#?\s]/g, (c) => encodeURIComponent(c))}:${line}${column !== undefined ? `:${column}` : ''}`;
  // "README.md:3" would read as a scheme "README.md:"; "./" keeps it a relative path.
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) href = `./${href}`;
  return linkKind(href) === 'file' ? href : undefined;
}
