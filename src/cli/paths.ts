import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where the command-line tool keeps its files: identity keys, bookmarks, the relay's generated
 * secret. `TEAM_MESSENGER_HOME` overrides everything (tests and services use it).
 */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEAM_MESSENGER_HOME) return path.resolve(env.TEAM_MESSENGER_HOME);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'team-messenger');
}

/** A display name as a file name: nothing that could leave the folder or upset a file system. */
export function fileNameFor(name: string): string {
  return encodeURIComponent(name).replace(/[.*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function identityFile(name: string, env?: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), 'identities', `${fileNameFor(name)}.key`);
}

export function bookmarkFile(clientId: string, env?: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), 'bookmarks', `${clientId}.json`);
}

export function relaySecretFile(env?: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), 'relay-secret');
}
