/**
 * How a relay joins a cluster: the NATS servers to reach the engine through and how many copies
 * the chat stream keeps. Parsed from `--cluster` / `--cluster-replicas`, with errors that say
 * what was wrong.
 */

export interface ClusterOptions {
  /** NATS server URLs (any of them; the client learns the rest of the cluster from them). */
  servers: string[];
  /** Copies of the chat stream: 1 for a laptop cluster, 3 (or 5) in production. */
  replicas: number;
  /** Newcomers are refused (retryably: their clients try another relay) once the engine has
   *  been unreachable this long (cutOffWatch.ts; default 10 s). */
  admitCutOffMs?: number;
}

export const DEFAULT_NATS_PORT = 4222;
/** Odd counts only: a majority of the copies must survive for the stream to accept writes. */
const ALLOWED_REPLICAS = [1, 3, 5];

/** `nats://h1:4222,nats://h2:4222` → the normalized URL list, or an Error saying which one is wrong. */
export function parseClusterServers(text: string): string[] | Error {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.every((p) => p === '')) return new Error('--cluster needs NATS server URLs, e.g. nats://host1:4222,nats://host2:4222');
  const servers: string[] = [];
  for (const part of parts) {
    if (part === '') return new Error(`--cluster has an empty entry in "${text}" (URLs are separated by single commas)`);
    const server = parseServer(part);
    if (server instanceof Error) return server;
    if (!servers.includes(server)) servers.push(server);
  }
  return servers;
}

/** One server: `nats://host:port` (port 4222 when left out) or `tls://…`; a bare `host:port` is taken as nats://. */
function parseServer(part: string): string | Error {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(part) ? part : `nats://${part}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return new Error(`--cluster: "${part}" is not a URL (expected nats://host:port)`);
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') return new Error(`--cluster: "${part}" must start with nats:// or tls://`);
  if (!url.hostname) return new Error(`--cluster: "${part}" has no host`);
  if (url.pathname !== '' && url.pathname !== '/') return new Error(`--cluster: "${part}" has a path; a NATS URL is only scheme://host:port`);
  // Credentials would end up in logs and `ps`: the engine's own auth config is the place for them.
  if (url.username || url.password) return new Error(`--cluster: "${part}" carries credentials; they are not supported in the URL`);
  const port = url.port === '' ? DEFAULT_NATS_PORT : Number(url.port);
  return `${url.protocol}//${url.hostname}:${port}`;
}

/** `--cluster-replicas`: 1, 3 or 5. */
export function parseClusterReplicas(text: string): number | Error {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!ALLOWED_REPLICAS.includes(n)) {
    return new Error(`--cluster-replicas must be 1 (a laptop cluster), 3 or 5 (an odd number, so a majority survives losing a node); got "${text}"`);
  }
  return n;
}

/** Both flags together; replicas default to 1 so a one-node engine on a laptop works as is. */
export function parseClusterOptions(servers: string, replicas?: string): ClusterOptions | Error {
  const list = parseClusterServers(servers);
  if (list instanceof Error) return list;
  const copies = replicas === undefined ? 1 : parseClusterReplicas(replicas);
  if (copies instanceof Error) return copies;
  return { servers: list, replicas: copies };
}
