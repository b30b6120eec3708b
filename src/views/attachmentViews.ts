import type { Attachment } from '../net/protocol/richMessages';
import { imageInfo } from '../model/attachmentImages';
import { formatBytes } from '../model/fileSizes';
import type { AttachmentView } from './chatProtocol';

/** A thumbnail is at most this many pixels a side (senders make ≤ 320; room for a hi-dpi one). */
export const MAX_THUMB_SIDE = 640;
/** What the page may show as a thumbnail: types it decodes, never script-bearing ones (SVG). */
const THUMB_MIMES = new Set(['image/png', 'image/jpeg', 'image/webp']);

/**
 * A message's attachments for the webview. A thumbnail is passed on only as a `data:` URI of a
 * PNG, JPEG or WebP whose bytes say they are that type and at most MAX_THUMB_SIDE pixels a
 * side: a peer's few kilobytes cannot make the page decode a huge picture, or anything but an
 * image. Names stay data (the page puts them in Text nodes).
 */
export function attachmentViews(attachments: readonly Attachment[] | undefined): AttachmentView[] | undefined {
  if (!attachments || attachments.length === 0) return undefined;
  return attachments.map(attachmentView);
}

export function attachmentView(a: Attachment): AttachmentView {
  const thumb = a.kind === 'image' ? thumbnailUri(a.thumb, a.thumbMime) : undefined;
  return {
    id: a.id,
    kind: a.kind,
    name: a.name,
    size: formatBytes(a.size),
    mime: a.mime,
    ...(a.width !== undefined ? { width: a.width } : {}),
    ...(a.height !== undefined ? { height: a.height } : {}),
    ...(thumb !== undefined ? { thumb } : {}),
  };
}

/** `data:<mime>;base64,<thumb>` when the thumbnail is what it claims and small, else undefined. */
export function thumbnailUri(thumb: string | undefined, mime: string | undefined): string | undefined {
  if (!thumb || !mime || !THUMB_MIMES.has(mime) || !/^[A-Za-z0-9+/]+={0,2}$/.test(thumb)) return undefined;
  const info = imageInfo(Buffer.from(thumb.slice(0, 4096), 'base64'));
  if (!info || info.mime !== mime || info.width > MAX_THUMB_SIDE || info.height > MAX_THUMB_SIDE) return undefined;
  return `data:${mime};base64,${thumb}`;
}
