import { z } from 'zod';
import { ConversationKey } from './conversationMessages';
import { Limits } from './limits';

/**
 * What makes a message more than text: the people and rooms it mentions, whether it is urgent,
 * and its attachments (an image with a thumbnail the sender made, or a file). An attachment's
 * bytes stay with the sender: a reader who wants them sends `file-request`, the relay checks that
 * the reader may read the message and passes it to the author's connections, and the author's
 * client answers with an ordinary `offer` naming the attachment, which the reader accepts.
 */

const counter = z.number().int().nonnegative();
const clientId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a client id');
const messageId = z.string().min(1).max(96);
const displayName = z.string().min(1).max(Limits.nameChars);

/** Someone by identity, or `channel` (every member) or `here` (every member online now). */
export const Mention = z.union([z.enum(['channel', 'here']), clientId]);
export type Mention = z.infer<typeof Mention>;

export const AttachmentId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not an attachment id');

export const Attachment = z.object({
  /** Chosen by the sender, unique within the message (e.g. a prefix of the SHA-256). */
  id: AttachmentId,
  kind: z.enum(['image', 'file']),
  /** A file name only, as the sender names it; the receiver makes it safe before it is used. */
  name: z.string().min(1).max(255),
  size: counter.max(Number.MAX_SAFE_INTEGER),
  mime: z
    .string()
    .max(100)
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i, 'not a media type'),
  /** Lowercase hex SHA-256 of the whole file: the reader checks what arrives against it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256'),
  /** Images: pixel size of the full image. */
  width: z.number().int().min(1).max(100_000).optional(),
  height: z.number().int().min(1).max(100_000).optional(),
  /** Images: a small preview, base64 (no `data:` prefix), of type `thumbMime`. */
  thumb: z
    .string()
    .max(Limits.thumbnailChars)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
    .optional(),
  thumbMime: z.enum(['image/png', 'image/jpeg', 'image/webp']).optional(),
});
export type Attachment = z.infer<typeof Attachment>;

/** Fields `send` and `message` share (spread into both schemas in messages.ts). */
export const RichFields = {
  mentions: z.array(Mention).max(Limits.mentionsPerMessage).optional(),
  /** Gets through quiet mode and Do Not Disturb (the sender's choice; use sparingly). */
  urgent: z.literal(true).optional(),
  attachments: z.array(Attachment).min(1).max(Limits.attachmentsPerMessage).optional(),
};

// client -> relay: a reader asks the author of `message` in `conv` for one of its attachments.
// The relay answers `done` (seq: the message's) once it passed the request to the author's
// connections, or an error with ref `req-<n>` (NOT_FOUND when the reader cannot read the message
// or it has no such attachment; NO_SUCH_PEER when the author is offline); the author answers
// with an offer naming the attachment, which the relay lets through only from the author to a
// reader of the message.
export const FileRequestOut = z.object({ t: z.literal('file-request'), n: counter, conv: ConversationKey, message: messageId, attachment: AttachmentId });
export type FileRequestOut = z.infer<typeof FileRequestOut>;

// relay -> client (the author): someone who may read the message wants the attachment. The
// author's client offers it to `from` with `attachment` set on the offer.
export const FileRequestIn = z.object({
  t: z.literal('file-request'),
  from: clientId,
  fromName: displayName,
  conv: ConversationKey,
  message: messageId,
  attachment: AttachmentId,
});
export type FileRequestIn = z.infer<typeof FileRequestIn>;

/** On an `offer` (both directions): the attachment of a stored message this offer answers. */
export const OfferedAttachment = z.object({ conv: ConversationKey, message: messageId, attachment: AttachmentId });
export type OfferedAttachment = z.infer<typeof OfferedAttachment>;
