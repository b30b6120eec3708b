/**
 * Numbers both sides of the protocol agree on. No zod and no Node here: the chat webview's
 * script imports this file too.
 */

/** The relay's port when none is given. */
export const DEFAULT_PORT = 9999;

/** Limits that are part of the protocol, so both sides agree on them. */
export const Limits = {
  nameChars: 64,
  machineChars: 128,
  textChars: 256 * 1024,
  targets: 256,
  refChars: 64,
  reasonChars: 512,
  filesPerOffer: 10_000,
  pathChars: 4096,
  /** Identities one connection may watch for presence (hello's `watch`, a `watch` message). */
  watchIds: 1000,
  /** A peer search: query length, and most identities one answer lists. */
  whoQueryChars: 100,
  whoResults: 100,
  /** Roster entries (connections) in one message; well above any relay's connection cap. */
  rosterEntries: 100_000,
  /** Rich messages (richMessages.ts): people and rooms one message mentions, attachments, and
   *  an image thumbnail's base64 (about 24 KB of JPEG or PNG, made by the sender). */
  mentionsPerMessage: 50,
  attachmentsPerMessage: 10,
  thumbnailChars: 32_768,
} as const;
