/**
 * One key per repository, whatever form its remote URL takes: `git@github.com:Team/App.git`,
 * `https://user:token@github.com/team/app/` and `ssh://git@github.com:22/team/app` are all
 * `github.com/team/app`. Two people's checkouts of the same repository match on these keys, so a
 * code link opens in the receiver's copy.
 *
 * The key never carries credentials or ports (a URL's user, password and port are dropped), so it
 * is safe to send: a token pasted into a remote URL does not leave the machine.
 */

/** A key's longest form; longer remotes are not keyed (they are not real repositories). */
export const MAX_REPOSITORY_KEY_CHARS = 512;
/** The most keys one link carries (a fork has `origin` and `upstream`, sometimes a few more). */
export const MAX_REPOSITORY_KEYS = 4;

/** A remote as VS Code's git extension lists it. */
export interface RemoteUrls {
  name: string;
  fetchUrl?: string;
  pushUrl?: string;
}

/**
 * The key of a remote URL, or undefined when it is not a URL git could fetch from. `baseDir`
 * resolves a relative local remote (`../shared.git`) the way git does, from the repository root.
 *
 * Hosted names are lowercased: the big hosts treat owner and repository names case-insensitively,
 * and two repositories whose names differ only in case on one host are rarer than a missed match.
 * Local paths keep their case (file systems on Linux are case-sensitive).
 */
export function repositoryKey(remoteUrl: string, baseDir?: string): string | undefined {
  const url = remoteUrl.trim();
  if (url === '' || url.length > 4 * MAX_REPOSITORY_KEY_CHARS || /[\s\u0000-\u001f\u007f]/.test(url)) return undefined;
  const key = hostedKey(url) ?? localKey(url, baseDir);
  return key !== undefined && key.length <= MAX_REPOSITORY_KEY_CHARS ? key : undefined;
}

/**
 * The keys of a repository's remotes, best first: `origin`, then `upstream`, then the others by
 * name; each key once, at most MAX_REPOSITORY_KEYS. A fork and its upstream share the upstream key.
 */
export function repositoryKeys(remotes: readonly RemoteUrls[], baseDir?: string): string[] {
  const rank = (name: string) => (name === 'origin' ? 0 : name === 'upstream' ? 1 : 2);
  const ordered = [...remotes].sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const keys: string[] = [];
  for (const remote of ordered) {
    for (const url of [remote.fetchUrl, remote.pushUrl]) {
      const key = url !== undefined ? repositoryKey(url, baseDir) : undefined;
      if (key !== undefined && !keys.includes(key)) keys.push(key);
    }
  }
  return keys.slice(0, MAX_REPOSITORY_KEYS);
}

/** Whether `key` has the shape repositoryKey makes (a peer's keys are checked with this). */
export function isRepositoryKey(key: unknown): key is string {
  return (
    typeof key === 'string' &&
    key.length > 0 &&
    key.length <= MAX_REPOSITORY_KEY_CHARS &&
    /^(?:file:\/\/\/|[a-z0-9.-]+\/|\[[0-9a-f:.]+\]\/)[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f]$/.test(key)
  );
}

/** Whether two repositories are the same: any key in common. */
export function sameRepository(a: readonly string[], b: readonly string[]): boolean {
  return a.some((key) => b.includes(key));
}

/** `host/path` for URL and scp-like remotes. */
function hostedKey(url: string): string | undefined {
  let host: string;
  let path: string;
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(url);
  if (withScheme) {
    const scheme = withScheme[1]!.toLowerCase();
    if (scheme === 'file') return undefined;
    if (!['ssh', 'git', 'http', 'https', 'ftp', 'ftps', 'git+ssh', 'ssh+git'].includes(scheme)) return undefined;
    host = withScheme[2]!.replace(/^.*@/, '');
    // An IPv6 literal keeps its brackets; a port goes.
    host = host.startsWith('[') ? host.replace(/^(\[[^\]]*\]).*$/, '$1') : host.replace(/:\d*$/, '');
    path = withScheme[3] ?? '';
  } else {
    // scp-like `[user@]host:path`: git only reads it so when no slash comes before the first colon.
    const scp = /^(?:[^@/:]+@)?(\[[^\]/]+\]|[^@/:[\]]+):(.*)$/.exec(url);
    if (!scp || /^[a-z]$/i.test(scp[1]!)) return undefined; // `C:\repos\app` is a local path
    host = scp[1]!;
    path = scp[2]!;
  }
  host = host.toLowerCase();
  if (!/^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/.test(host)) return undefined;
  const parts = trimRepositoryPath(path.toLowerCase());
  if (parts.length === 0) return undefined;
  return azureKey(host, parts) ?? `${host}/${parts.join('/')}`;
}

/**
 * Azure DevOps names one repository three ways: `dev.azure.com/org/project/_git/repo`,
 * `ssh.dev.azure.com:v3/org/project/repo` and `org.visualstudio.com/project/_git/repo`.
 */
function azureKey(host: string, parts: string[]): string | undefined {
  if (host === 'dev.azure.com' && parts.length === 4 && parts[2] === '_git') return `dev.azure.com/${parts[0]}/${parts[1]}/${parts[3]}`;
  if (host === 'ssh.dev.azure.com' && parts.length === 4 && parts[0] === 'v3') return `dev.azure.com/${parts.slice(1).join('/')}`;
  if (host === 'vs-ssh.visualstudio.com' && parts.length === 4 && parts[0] === 'v3') return `dev.azure.com/${parts.slice(1).join('/')}`;
  const legacy = /^([a-z0-9-]+)\.visualstudio\.com$/.exec(host);
  if (legacy) {
    const rest = parts[0] === 'defaultcollection' ? parts.slice(1) : parts;
    if (rest.length === 3 && rest[1] === '_git') return `dev.azure.com/${legacy[1]}/${rest[0]}/${rest[2]}`;
  }
  return undefined;
}

/** `file://` and a normalised absolute path, for remotes on this machine or a shared drive. */
function localKey(url: string, baseDir: string | undefined): string | undefined {
  let path = url;
  if (/^file:\/\//i.test(path)) {
    path = path.slice('file://'.length);
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    if (/^\/[a-z]:/i.test(path)) path = path.slice(1); // file:///C:/repos/app
  }
  path = path.replace(/\\/g, '/');
  const drive = /^[a-z]:\//i.test(path);
  if (!drive && !path.startsWith('/')) {
    if (baseDir === undefined) return undefined;
    path = `${baseDir.replace(/\\/g, '/').replace(/\/+$/, '')}/${path}`;
    if (!/^(?:[a-z]:)?\//i.test(path)) return undefined;
  }
  const prefix = /^[a-z]:/i.test(path) ? path.slice(0, 2).toUpperCase() : '';
  const resolved: string[] = [];
  for (const part of path.slice(prefix.length).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') resolved.pop();
    else resolved.push(part);
  }
  const parts = trimRepositoryPath(resolved.join('/'));
  if (parts.length === 0) return undefined;
  return `file:///${prefix ? `${prefix}/` : ''}${parts.join('/')}`;
}

/** A repository path's parts without empty parts, a trailing `.git` or `/.git`. */
function trimRepositoryPath(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length > 0 && parts[parts.length - 1] === '.git') parts.pop();
  if (parts.length > 0) parts[parts.length - 1] = parts[parts.length - 1]!.replace(/\.git$/, '');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.some((part) => part === '..') ? [] : parts;
}
