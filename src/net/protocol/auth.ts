import * as crypto from 'node:crypto';
import { PROTOCOL_VERSION } from './messages';

/**
 * Challenge-response with the team secret. The secret never crosses the wire: each side sends
 * an HMAC of a transcript both have seen (the relay's nonce, the client's nonce and the
 * client's public key), with a different label per direction so one proof can't be replayed
 * as the other. Fresh nonces on both sides make every proof single-use.
 */
export function newNonce(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function handshakeTranscript(serverNonce: string, clientNonce: string, publicKey: string): Buffer {
  return Buffer.from(`team-messenger/${PROTOCOL_VERSION}\n${serverNonce}\n${clientNonce}\n${publicKey}`, 'utf8');
}

export function proveSecret(secret: string, role: 'client' | 'relay', transcript: Buffer): string {
  return crypto.createHmac('sha256', secret).update(role).update('\n').update(transcript).digest('hex');
}

export function checkProof(secret: string, role: 'client' | 'relay', transcript: Buffer, proof: string | undefined): boolean {
  if (proof === undefined) return false;
  const expected = Buffer.from(proveSecret(secret, role, transcript), 'hex');
  const given = Buffer.from(proof, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
