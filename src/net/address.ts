/** `HOST:PORT`, `[v6]:PORT` or `HOST` (then `defaultPort`). Throws an Error that says what is wrong. */
export function parseHostPort(value: string, defaultPort: number): { host: string; port: number } {
  const text = value.trim();
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:\s/]+)(?::(\d+))?$/.exec(text);
  if (!match) throw new Error(`${JSON.stringify(value)} is not HOST:PORT`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`the port in ${value} is not 1..65535`);
  return { host: match[1], port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Most addresses one setting or option may list (the relays of a cluster). */
export const MAX_ADDRESSES = 16;

/**
 * `HOST:PORT, HOST2:PORT2, …`: the addresses of one team (the relays of a cluster), tried in
 * turn. Throws an Error that says which one is wrong.
 */
export function parseHostPorts(value: string, defaultPort: number): { host: string; port: number }[] {
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw new Error(`${JSON.stringify(value)} is not HOST:PORT`);
  if (parts.length > MAX_ADDRESSES) throw new Error(`at most ${MAX_ADDRESSES} addresses, not ${parts.length}`);
  return parts.map((part) => parseHostPort(part, defaultPort));
}
