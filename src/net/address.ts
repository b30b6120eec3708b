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
