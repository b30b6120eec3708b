import type { AttachmentView, MessageView } from '../chatProtocol';
import { button, h, icon } from './dom';

/**
 * A message's images and files. An image shows its thumbnail (a `data:` URI of a PNG, JPEG or
 * WebP, checked by the extension and again here before it becomes an `src`); clicking it, or its
 * name, opens the whole image: from this machine, or fetched from its author first (the state
 * says so). A file shows its name and size and opens the same way. Names are Text nodes.
 */

/** A thumbnail's box is at most this many CSS pixels a side (the image keeps its proportions). */
const BOX = 240;
const THUMB_URI = /^data:image\/(?:png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

export type OpenAttachment = (messageId: string, attachmentId: string) => void;

export function attachmentList(message: MessageView, open: OpenAttachment): HTMLElement | false {
  const list = message.attachments ?? [];
  if (list.length === 0 || message.deleted) return false;
  return h(
    'div',
    { className: 'message-attachments', attrs: { role: 'group', 'aria-label': list.length === 1 ? 'Attachment' : `${list.length} attachments` } },
    ...list.map((a) => attachmentElement(a, () => open(message.id, a.id))),
  );
}

function attachmentElement(a: AttachmentView, open: () => void): HTMLElement {
  const state = a.state ?? 'remote';
  const what = a.kind === 'image' ? 'image' : 'file';
  const action = state === 'fetching' ? `Fetching ${what} ${a.name}…` : `Open ${what} ${a.name} (${a.size})`;
  const preview = a.kind === 'image' ? thumbnail(a) : h('span', { className: 'attachment-file-icon' }, icon('file'));
  const opener = button(`attachment-open kind-${a.kind}`, action, [preview], open, `${a.name} (${a.size})`);
  opener.disabled = state === 'fetching';
  return h(
    'figure',
    { className: `attachment state-${state}` },
    opener,
    h(
      'figcaption',
      { className: 'attachment-caption' },
      h('span', { className: 'attachment-name' }, a.name),
      h('span', { className: 'attachment-size' }, a.size),
      status(a, state),
    ),
  );
}

/** The thumbnail at its proportions within BOX, or a placeholder of the same size when there is none. */
function thumbnail(a: AttachmentView): HTMLElement {
  const { width, height } = boxSize(a.width, a.height);
  const frame = h('span', { className: 'attachment-thumb' });
  frame.style.width = `${width}px`;
  frame.style.height = `${height}px`;
  if (a.thumb && THUMB_URI.test(a.thumb)) {
    const img = h('img', { attrs: { alt: a.name, width: String(width), height: String(height), decoding: 'async', draggable: 'false' } });
    // Checked above: only a data: URI of the three image types ever becomes an src.
    img.src = a.thumb;
    frame.append(img);
  } else frame.append(icon('file-media', 'attachment-placeholder'));
  return frame;
}

/** The box a thumbnail takes: the image's proportions, at most BOX a side, at least 48. */
export function boxSize(width?: number, height?: number): { width: number; height: number } {
  if (!width || !height) return { width: BOX / 2, height: BOX / 2 };
  const scale = Math.min(1, BOX / Math.max(width, height));
  return { width: Math.max(48, Math.round(width * scale)), height: Math.max(48, Math.round(height * scale)) };
}

function status(a: AttachmentView, state: NonNullable<AttachmentView['state']>): HTMLElement | false {
  if (state === 'fetching')
    return h('span', { className: 'attachment-status', attrs: { role: 'status' } }, icon('loading', 'codicon-modifier-spin'), 'Fetching…');
  if (state === 'failed')
    return h('span', { className: 'attachment-status error', attrs: { role: 'status' } }, icon('warning'), a.error ?? 'Could not get it.');
  return false;
}

/** The message with one attachment's fetch state changed (as the extension reports it). */
export function withAttachmentState(
  message: MessageView,
  attachmentId: string,
  state: 'fetching' | 'ready' | 'failed',
  error?: string,
): MessageView | undefined {
  if (!message.attachments?.some((a) => a.id === attachmentId)) return undefined;
  return {
    ...message,
    attachments: message.attachments.map((a) => {
      if (a.id !== attachmentId) return a;
      const { error: _old, ...rest } = a;
      return { ...rest, state, ...(error !== undefined ? { error } : {}) };
    }),
  };
}
