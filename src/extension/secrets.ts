import * as vscode from 'vscode';
import { generateIdentity, Identity, identityFromPem } from '../net/identity';

const SECRET_KEY = 'teamMessenger.teamSecret';
const IDENTITY_KEY = 'teamMessenger.identityKey';

/**
 * What must not sit in settings files: the team secret and this user's identity key. Both
 * live in VS Code's SecretStorage (the OS keychain where there is one).
 */
export class Secrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get onDidChange(): vscode.Event<vscode.SecretStorageChangeEvent> {
    return this.storage.onDidChange;
  }

  async teamSecret(): Promise<string | undefined> {
    return (await this.storage.get(SECRET_KEY)) || undefined;
  }

  async setTeamSecret(secret: string | undefined): Promise<void> {
    if (secret) await this.storage.store(SECRET_KEY, secret);
    else await this.storage.delete(SECRET_KEY);
  }

  /** This user's identity, created and stored the first time. */
  async identity(): Promise<Identity> {
    const pem = await this.storage.get(IDENTITY_KEY);
    if (pem) {
      try {
        return identityFromPem(pem);
      } catch {
        // Unreadable key: a new identity is better than none (peers will see a new id).
      }
    }
    const identity = generateIdentity();
    await this.storage.store(IDENTITY_KEY, identity.exportPrivateKey());
    return identity;
  }
}
