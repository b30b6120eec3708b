import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A client's identity is an Ed25519 key pair. The client id everyone sees is derived from the
 * public key, and every handshake is signed with the private key, so nobody can take over
 * another person's identity even though the whole team shares one secret.
 */
export interface Identity {
  readonly clientId: string;
  /** Raw 32-byte public key, base64url. */
  readonly publicKey: string;
  sign(data: Buffer): string;
  /** PKCS#8 PEM of the private key, for storing. */
  exportPrivateKey(): string;
}

export function clientIdFromPublicKey(publicKey: string): string {
  return crypto.createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest('base64url').slice(0, 22);
}

function fromKeyObject(privateKey: crypto.KeyObject): Identity {
  const jwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new Error('identity key is not an Ed25519 key');
  }
  const publicKey = jwk.x;
  return {
    clientId: clientIdFromPublicKey(publicKey),
    publicKey,
    sign: (data) => crypto.sign(null, data, privateKey).toString('base64url'),
    exportPrivateKey: () => privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

export function generateIdentity(): Identity {
  return fromKeyObject(crypto.generateKeyPairSync('ed25519').privateKey);
}

export function identityFromPem(pem: string): Identity {
  return fromKeyObject(crypto.createPrivateKey(pem));
}

/** Loads the identity stored in `file`, creating it (owner-readable only) the first time. */
export function loadOrCreateIdentity(file: string): Identity {
  try {
    return identityFromPem(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read identity key ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  const identity = generateIdentity();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // 'wx': never overwrite a key another process created meanwhile.
  try {
    fs.writeFileSync(file, identity.exportPrivateKey(), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return identityFromPem(fs.readFileSync(file, 'utf8'));
    throw err;
  }
  return identity;
}

export function verifySignature(publicKey: string, data: Buffer, signature: string): boolean {
  try {
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return crypto.verify(null, data, key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
