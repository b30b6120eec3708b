import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_PORT } from '../net/protocol/limits';

/** The `teamMessenger.*` settings, read in one place. The team secret is not a setting (see secrets.ts). */
export interface Settings {
  /** `host:port` of the relay; empty until the user sets one or starts a local relay. */
  server: string;
  displayName: string;
  autoConnect: boolean;
  downloadFolder: string;
  relayHost: string;
  relayPort: number;
  /** The local relay runs as a process of its own that outlives VS Code. */
  relayKeepRunning: boolean;
  historySize: number;
  maxFileSizeMB: number;
  /** Plain TCP instead of TLS: only when chosen explicitly. */
  plainTcp: boolean;
  /** Verify relays against this CA certificate (PEM file) instead of pinning. */
  tlsCaFile: string;
  /** Let the others in direct and small group conversations see how far the user has read ("Seen by"). */
  sendReadReceipts: boolean;
}

export const SECTION = 'teamMessenger';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const displayName = c.get<string>('displayName', '').trim() || defaultName();
  return {
    server: c.get<string>('server', '').trim(),
    displayName,
    autoConnect: c.get<boolean>('autoConnect', true),
    downloadFolder: c.get<string>('downloadFolder', '').trim() || path.join(os.homedir(), 'Downloads', 'Team Messenger'),
    relayHost: c.get<string>('relay.host', '0.0.0.0').trim() || '0.0.0.0',
    relayPort: clampPort(c.get<number>('relay.port', DEFAULT_PORT)),
    relayKeepRunning: c.get<boolean>('relay.keepRunning', false),
    historySize: Math.max(10, Math.min(100_000, c.get<number>('historySize', 1000))),
    maxFileSizeMB: Math.max(0, c.get<number>('maxFileSizeMB', 0)),
    plainTcp: c.get<boolean>('plainTcp', false),
    tlsCaFile: c.get<string>('tlsCaFile', '').trim(),
    sendReadReceipts: c.get<boolean>('sendReadReceipts', true) !== false,
  };
}

export async function updateSetting(key: 'server' | 'displayName' | 'relay.keepRunning', value: string | boolean): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

function defaultName(): string {
  try {
    return os.userInfo().username || 'teammate';
  } catch {
    return 'teammate';
  }
}

function clampPort(value: number): number {
  return Number.isInteger(value) && value >= 0 && value <= 65535 ? value : DEFAULT_PORT;
}
