import * as crypto from 'node:crypto';

/**
 * Random base64url text for ids and secrets people copy into commands. It never starts with '-',
 * so `--thread ID` or `--secret S` cannot be taken for an option.
 */
export function randomToken(bytes: number): string {
  for (;;) {
    const token = crypto.randomBytes(bytes).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}
