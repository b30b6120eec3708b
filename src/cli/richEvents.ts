import type { TeamClient } from '../net/client/teamClient';
import type { ChatMessage } from '../net/protocol/messages';
import type { Attachment } from '../net/protocol/richMessages';
import { nameOf } from './clientSetup';

/**
 * A message's mentions, urgency and attachments as the commands print them. In JSON: mentions
 * by name (`channel` and `here` as they are) and by id, and each attachment without its
 * thumbnail (up to 32 KB of base64 a script has no use for; `thumb: true` says there is one).
 */
export function richFields(client: TeamClient, message: ChatMessage): Record<string, unknown> {
  return {
    ...(message.mentions?.length
      ? { mentions: message.mentions.map((m) => (m === 'channel' || m === 'here' ? m : nameOf(client, m))), mentionIds: message.mentions }
      : {}),
    ...(message.urgent ? { urgent: true } : {}),
    ...(message.attachments?.length ? { attachments: message.attachments.map(attachmentFields) } : {}),
  };
}

function attachmentFields({ thumb, thumbMime: _thumbMime, ...rest }: Attachment): Record<string, unknown> {
  return { ...rest, ...(thumb ? { thumb: true } : {}) };
}

/** "screenshot.png (image, 1280×720, 48213 bytes)". */
export function attachmentText(attachment: Attachment): string {
  const size = attachment.width && attachment.height ? `${attachment.width}×${attachment.height}, ` : '';
  return `${attachment.name} (${attachment.kind}, ${size}${attachment.size} ${attachment.size === 1 ? 'byte' : 'bytes'})`;
}
