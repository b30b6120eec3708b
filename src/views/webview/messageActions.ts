import type { MessageView, ReactionView } from '../chatProtocol';
import type { ConfirmDialog } from './confirmDialog';
import type { EmojiPicker } from './emojiPicker';
import { post } from './vscodeApi';

/** Where a message may be shown: the conversation and the thread pane. */
export interface MessageHolders {
  /** The message as held (the conversation first, then the thread). */
  find(messageId: string): MessageView | undefined;
  /** Shows a changed message wherever it is held (never adds it). */
  replace(message: MessageView): void;
  selfName(): string;
}

/**
 * What the buttons on a message do, for the conversation and the thread pane alike: react
 * (shown at once, the relay's update confirms), pick a reaction, delete after asking, copy a
 * link. Each posts to the extension with the conversation the message is in.
 */
export class MessageCommands {
  constructor(
    private readonly holders: MessageHolders,
    private readonly picker: EmojiPicker,
    private readonly confirm: ConfirmDialog,
  ) {}

  react(conversationId: string, messageId: string, emoji: string, on: boolean): void {
    const message = this.holders.find(messageId);
    if (message) this.holders.replace({ ...message, reactions: toggled(message.reactions ?? [], emoji, on, this.holders.selfName()) });
    post({ type: 'react', conversationId, messageId, emoji, on });
  }

  pickReaction(conversationId: string, messageId: string, anchor: HTMLElement): void {
    this.picker.open(anchor, (emoji) => {
      const mine = this.holders.find(messageId)?.reactions?.find((r) => r.emoji === emoji)?.mine ?? false;
      // Picking an emoji one already reacted with leaves it on (a picker adds, the chip toggles).
      if (!mine) this.react(conversationId, messageId, emoji, true);
    });
  }

  /** Copy Link: the extension makes the link from the conversation and puts it on the
   *  clipboard (and says so); a reply's link names its thread, so it opens there. */
  copyLink(conversationId: string, messageId: string): void {
    const threadId = this.holders.find(messageId)?.thread;
    post({ type: 'copy-link', conversationId, messageId, ...(threadId !== undefined ? { threadId } : {}) });
  }

  async remove(conversationId: string, messageId: string): Promise<void> {
    const yes = await this.confirm.ask('Delete message?', 'Everyone in the conversation will see that it was deleted. This cannot be undone.', 'Delete');
    if (!yes) return;
    const message = this.holders.find(messageId);
    if (message) this.holders.replace({ ...message, deleted: true, text: '', reactions: [], code: undefined, files: undefined });
    post({ type: 'delete', conversationId, messageId });
  }
}

/** The reactions after the user turned `emoji` on or off. */
export function toggled(reactions: ReactionView[], emoji: string, on: boolean, selfName: string): ReactionView[] {
  const out = reactions.map((r) => ({ ...r, names: [...r.names] }));
  const found = out.find((r) => r.emoji === emoji);
  if (on) {
    if (found?.mine) return out;
    if (found) {
      found.mine = true;
      found.count += 1;
      found.names.push(selfName);
    } else out.push({ emoji, count: 1, names: [selfName], mine: true });
    return out;
  }
  if (!found?.mine) return out;
  found.mine = false;
  found.count -= 1;
  const at = found.names.lastIndexOf(selfName);
  if (at >= 0) found.names.splice(at, 1);
  return out.filter((r) => r.count > 0);
}
