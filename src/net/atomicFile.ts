import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/** Writes `file` whole or not at all: a temp file beside it, renamed over it (a crash or a full
 *  disk leaves the old one). */
export function writeFileAtomic(file: string, data: string): void {
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
