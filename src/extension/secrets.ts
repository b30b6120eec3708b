import type * as vscode from 'vscode';
import { generateIdentity, Identity, identityFromPem } from '../net/identity';
import type { Logger } from '../net/logger';
import { judgeSaved, SavedPart } from '../model/savedState';

const SECRET_KEY = 'teamMessenger.teamSecret';
const IDENTITY_KEY = 'teamMessenger.identityKey';

/** A PEM private key is a few hundred characters; far more is not one. */
const IDENTITY: SavedPart<Identity> = {
  what: "this user's identity key",
  instead: 'using a new identity (peers will see a new id)',
  maxChars: 16 * 1024,
  parse: (value) => {
    if (typeof value !== 'string') throw new Error('not text');
    return identityFromPem(value);
  },
};

/**
 * What must not sit in settings files: the team secret and this user's identity key. Both
 * live in VS Code's SecretStorage (the OS keychain where there is one).
 */
export class Secrets {
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly logger: Logger,
  ) {}

  get onDidChange(): vscode.Event<vscode.SecretStorageChangeEvent> {
    return this.storage.onDidChange;
  }

  /** The secret for `server`: its own (given with an invite or an address block), else the one
   *  Set Team Secret… keeps, which the local relay uses too. */
  async teamSecret(server?: string): Promise<string | undefined> {
    const own = server ? await this.storage.get(`${SECRET_KEY}:${server}`) : undefined;
    return own || (await this.storage.get(SECRET_KEY)) || undefined;
  }

  /** Keeps `secret` for `server` only (joining another team never replaces this team's secret),
   *  or, without a server, as the default (Set Team Secret…). */
  async setTeamSecret(secret: string | undefined, server?: string): Promise<void> {
    const key = server ? `${SECRET_KEY}:${server}` : SECRET_KEY;
    if (secret) await this.storage.store(key, secret);
    else await this.storage.delete(key);
  }

  /** This user's identity, created and stored the first time. */
  async identity(): Promise<Identity> {
    const pem = await this.storage.get(IDENTITY_KEY);
    if (pem !== undefined) {
      const judged = judgeSaved(pem, IDENTITY);
      if (judged.ok) return judged.value;
      // Unreadable key: a new identity is better than none. It replaces this one, so said once.
      this.logger.warn(`${IDENTITY.what} could not be restored (${judged.why}); ${IDENTITY.instead}`, { key: IDENTITY_KEY });
    }
    const identity = generateIdentity();
    await this.storage.store(IDENTITY_KEY, identity.exportPrivateKey());
    return identity;
  }
}
