import * as os from 'node:os';
import { formatHostPort } from '../net/address';

/**
 * The addresses teammates can use to reach a relay bound to `host`: the machine's external
 * interface addresses when it listens on all interfaces, otherwise just `host`.
 */
export function reachableAddresses(host: string | undefined, port: number): string[] {
  if (host && host !== '0.0.0.0' && host !== '::') return [formatHostPort(host, port)];
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4' || (host === '::' && !info.address.startsWith('fe80'))) out.push(formatHostPort(info.address, port));
    }
  }
  return out.length > 0 ? out : [formatHostPort('127.0.0.1', port)];
}
