import type { MessageExtras } from '../model/conversationTypes';
import type { Attachment } from '../net/protocol/richMessages';

/**
 * What goes with a message the composer sends besides its text: the mentions the text still
 * names, the images staged for it, and urgency (the composer's Urgent toggle). Undefined when
 * there is nothing, so a plain message is sent as before.
 */
export function composerExtras(mentioned: MessageExtras | undefined, attachments: readonly Attachment[], urgent: true | undefined): MessageExtras | undefined {
  const extras: MessageExtras = { ...mentioned };
  if (attachments.length > 0) extras.attachments = [...attachments];
  if (urgent) extras.urgent = true;
  return Object.keys(extras).length > 0 ? extras : undefined;
}
