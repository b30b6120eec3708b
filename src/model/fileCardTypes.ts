import type { ConversationId } from './conversationTypes';

/**
 * A file transfer as the chat shows it: a card in the conversation with the peer. Plain data
 * (JSON-safe, no imports beyond types): the model keeps these, the webview renders them. The
 * texts are composed by the model (fileCardText.ts) so the wording is the same in every view.
 */

/**
 * - offered: an incoming offer nobody answered yet (Accept / Decline);
 * - waiting: an outgoing offer the peer has not answered yet;
 * - accepting: the download folder is being prepared;
 * - moving: bytes are flowing (progress);
 * - interrupted: the connection dropped; resumes when both sides are back;
 * - done: every file arrived and its checksum matched;
 * - declined / cancelled / expired: outcomes someone chose (or a timeout), not errors;
 * - failed: something went wrong; `reason` says what.
 */
export type FileCardState = 'offered' | 'waiting' | 'accepting' | 'moving' | 'interrupted' | 'done' | 'declined' | 'cancelled' | 'expired' | 'failed';

/** Who ended a transfer that did not finish: the user, the peer, or neither (the connection, the relay). */
export type EndedBy = 'you' | 'peer' | 'connection';

/** Where a received file or folder was saved. */
export interface SavedPlace {
  /** Its name on disk (the last path component). */
  name: string;
  /** Absolute path on this machine. */
  path: string;
  folder: boolean;
  /** The name the sender offered, when it was saved under another (it existed, or the disk could not take it). */
  offeredName?: string;
  /** Says so in words, with `offeredName`: "saved as notes (1).txt: notes.txt already exists". */
  note?: string;
}

export interface FileCard {
  /** Local, unique in this window: what the webview names in file-action messages. */
  id: string;
  direction: 'in' | 'out';
  conversationId: ConversationId;
  peerName: string;
  /** When the offer was made or received (ms since epoch): where the card sits among the messages. */
  ts: number;
  /** "notes.txt", "folder docs (3 files)", "3 files". */
  what: string;
  /** Total size, "12 KB". */
  size: string;
  state: FileCardState;
  /** Bytes moved so far, of `total`. */
  bytes: number;
  total: number;
  endedBy?: EndedBy;
  /** Why it failed, or the peer's reason for declining. */
  reason?: string;
  /** Received and verified: where it was saved (files of one folder offer are one place, the folder). */
  saved?: SavedPlace[];
  /** Places beyond those listed in `saved` (a very large offer of loose files). */
  moreSaved?: number;
  /** The conversation message that records the offer: the chat shows this card in its place. */
  messageId?: string;
  /** One line: who offers or sends what ("bob offers notes.txt (12 KB)"). */
  title: string;
  /** One line: where it stands ("Waiting for bob to accept…", "You declined", "Saved to …"). */
  status: string;
  /** How the status reads: an outcome, good news, or an error. */
  tone: 'neutral' | 'success' | 'error';
}
