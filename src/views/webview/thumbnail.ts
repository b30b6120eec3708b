/**
 * The preview of an image the user pastes or drops: decoded by the browser, drawn smaller on a
 * canvas (at most THUMB_SIDE pixels a side), and encoded as PNG (sharp text in screenshots) or,
 * when that is too large, JPEG at falling quality, then smaller still, until it fits the
 * protocol's thumbnail limit. Readers see only this until they ask for the whole image.
 */

/** Longest side of a thumbnail, in pixels. */
export const THUMB_SIDE = 320;
/** The protocol's limit on a thumbnail's base64 (Limits.thumbnailChars). */
export const THUMB_CHARS = 32_768;
/** Below this a preview says nothing: give up rather than send a smudge. */
const SMALLEST_SIDE = 48;
const JPEG_QUALITIES = [0.85, 0.7, 0.55, 0.4];

export interface Thumbnail {
  /** Base64, no `data:` prefix. */
  data: string;
  mime: 'image/png' | 'image/jpeg';
  /** The full image's size in pixels. */
  width: number;
  height: number;
}

/** Makes the thumbnail; rejects when the browser cannot decode the image. */
export async function makeThumbnail(image: Blob): Promise<Thumbnail> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(image);
  } catch {
    throw new Error('it is not an image this page can read');
  }
  try {
    const { width, height } = bitmap;
    for (let side = THUMB_SIDE; side >= SMALLEST_SIDE; side = Math.floor(side * 0.75)) {
      const canvas = draw(bitmap, side, false);
      const png = encode(canvas, 'image/png');
      if (png.length <= THUMB_CHARS) return { data: png, mime: 'image/png', width, height };
      // JPEG has no transparency: flatten onto white, as most viewers show a transparent image.
      const flat = draw(bitmap, side, true);
      for (const quality of JPEG_QUALITIES) {
        const jpeg = encode(flat, 'image/jpeg', quality);
        if (jpeg.length <= THUMB_CHARS) return { data: jpeg, mime: 'image/jpeg', width, height };
      }
    }
    throw new Error('no small enough preview could be made of it');
  } finally {
    bitmap.close();
  }
}

/** The bitmap scaled to fit `side` (never enlarged). */
function draw(bitmap: ImageBitmap, side: number, opaque: boolean): HTMLCanvasElement {
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this page cannot draw images');
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  if (opaque) {
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

function encode(canvas: HTMLCanvasElement, mime: string, quality?: number): string {
  const url = canvas.toDataURL(mime, quality);
  return url.slice(url.indexOf(',') + 1);
}

/** A file's bytes as base64 (no prefix), read by the browser. */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(new Error('it could not be read'));
    reader.readAsDataURL(file);
  });
}
