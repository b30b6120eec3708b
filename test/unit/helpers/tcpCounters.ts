/**
 * The kernel's TCP counters (Linux, /proc/net/netstat), for storm tests: a listen queue that
 * overflows drops connections the client believes are open, which no log of the relay shows.
 * Machine-wide, so a figure to report, never to assert on.
 */
import * as fs from 'node:fs';

export interface TcpCounters {
  /** Handshakes completed while the listener's accept queue was full (the final ACK dropped). */
  listenOverflows: number;
  /** SYN cookies sent because a listener's SYN queue was full. */
  syncookiesSent: number;
}

/** The counters now, or undefined where /proc/net/netstat does not exist. */
export function tcpCounters(): TcpCounters | undefined {
  let text: string;
  try {
    text = fs.readFileSync('/proc/net/netstat', 'utf8');
  } catch {
    return undefined;
  }
  // Pairs of lines: names, then values, each starting with "TcpExt:".
  const [names, values] = text
    .split('\n')
    .filter((line) => line.startsWith('TcpExt:'))
    .map((line) => line.split(/\s+/).slice(1));
  if (!names || !values) return undefined;
  const value = (name: string) => Number(values[names.indexOf(name)] ?? NaN);
  return { listenOverflows: value('ListenOverflows'), syncookiesSent: value('SyncookiesSent') };
}

/** What the counters grew by since `before` (undefined where there are none). */
export function tcpCountersSince(before: TcpCounters | undefined): TcpCounters | undefined {
  const now = tcpCounters();
  if (!before || !now) return undefined;
  return { listenOverflows: now.listenOverflows - before.listenOverflows, syncookiesSent: now.syncookiesSent - before.syncookiesSent };
}
