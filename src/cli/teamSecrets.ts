import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../net/atomicFile';
import { homeDir } from './paths';

/**
 * Team secrets the command line was given for relays it joined with an invite, by `host:port`
 * (relays.json, readable by its owner only): later commands find the secret here, as a browser
 * keeps a session, so an invite is pasted once.
 */
const Saved = z.record(z.string(), z.object({ secret: z.string().min(1).max(1024) }));

export function teamSecretsFile(env: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), 'relays.json');
}

export function savedSecret(server: string, env: NodeJS.ProcessEnv): string | undefined {
  return read(teamSecretsFile(env))[server]?.secret;
}

export function saveSecret(server: string, secret: string, env: NodeJS.ProcessEnv): void {
  const file = teamSecretsFile(env);
  const saved = read(file);
  saved[server] = { secret };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, JSON.stringify(saved, null, 2) + '\n');
}

function read(file: string): z.infer<typeof Saved> {
  try {
    const parsed = Saved.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
