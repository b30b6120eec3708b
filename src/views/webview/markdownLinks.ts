/**
 * Which links in a message may be followed. Only three kinds: http(s) and mailto (VS Code opens
 * them after its own confirmation) and plain relative or rooted paths (the extension opens them
 * from the receiver's workspace, never outside it). Anything else (javascript:, data:, command:,
 * vscode:, file:, protocol-relative //host, #anchors) is shown as text. The extension checks again.
 */

export type LinkKind = 'external' | 'file';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const EXTERNAL = new Set(['http', 'https', 'mailto']);

export function linkKind(href: string): LinkKind | undefined {
  // Control characters and whitespace have no place in a link markdown-it has normalised.
  if (href === '' || /[\s\p{Cc}]/u.test(href)) return undefined;
  const scheme = SCHEME.exec(href)?.[1]?.toLowerCase();
  if (scheme !== undefined) return EXTERNAL.has(scheme) && parses(href) ? 'external' : undefined;
  if (href.startsWith('//') || href.startsWith('\\') || href.startsWith('#')) return undefined;
  // A path whose decoded form hides control characters (java%0Ascript:…) is no file name.
  return decodesClean(href) ? 'file' : undefined;
}

function decodesClean(href: string): boolean {
  try {
    return !/\p{Cc}/u.test(decodeURIComponent(href));
  } catch {
    return false;
  }
}

function parses(href: string): boolean {
  try {
    return new URL(href).href.length > 0;
  } catch {
    return false;
  }
}
