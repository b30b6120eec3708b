/**
 * What an image's bytes say it is: its type from the signature and its pixel size from the
 * header, never from a name or a claimed type. The sender's extension checks a pasted image
 * with it, and the reader's checks a thumbnail before the page may decode it (a tiny file can
 * claim a huge picture). Pure; reads at most the first few kilobytes.
 */

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

/** The image's type and size, or undefined when the bytes are not a PNG, JPEG, GIF or WebP. */
export function imageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const size = png(bytes) ?? gif(bytes) ?? webp(bytes) ?? jpeg(bytes);
  return size && size.width > 0 && size.height > 0 ? size : undefined;
}

function png(b: Uint8Array): ImageInfo | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 24 || signature.some((v, i) => b[i] !== v)) return undefined;
  // The first chunk is IHDR: width and height, big-endian, at 16 and 20.
  if (ascii(b, 12, 4) !== 'IHDR') return undefined;
  return { mime: 'image/png', width: u32be(b, 16), height: u32be(b, 20) };
}

function gif(b: Uint8Array): ImageInfo | undefined {
  const head = ascii(b, 0, 6);
  if (b.length < 10 || (head !== 'GIF87a' && head !== 'GIF89a')) return undefined;
  return { mime: 'image/gif', width: b[6]! | (b[7]! << 8), height: b[8]! | (b[9]! << 8) };
}

function webp(b: Uint8Array): ImageInfo | undefined {
  if (b.length < 30 || ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') return undefined;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') return { mime: 'image/webp', width: (b[26]! | (b[27]! << 8)) & 0x3fff, height: (b[28]! | (b[29]! << 8)) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { mime: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { mime: 'image/webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return undefined;
}

/** Walks the JPEG's segments to the first frame header (SOF0–SOF15 but DHT, JPG and DAC). */
function jpeg(b: Uint8Array): ImageInfo | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = (b[at + 2]! << 8) | b[at + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { mime: 'image/jpeg', height: (b[at + 5]! << 8) | b[at + 6]!, width: (b[at + 7]! << 8) | b[at + 8]! };
    }
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}

function ascii(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

function u24le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
}

/** The largest image that goes into a message (a larger one can be sent as a file). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * Whether `bytes` may go into a message as an image: its type and size, or the reason it may
 * not, in words for the user.
 */
export function checkImage(bytes: Uint8Array, name: string): ImageInfo | { error: string } {
  if (bytes.length > MAX_IMAGE_BYTES) {
    return {
      error: `${name} is over ${MAX_IMAGE_BYTES / (1024 * 1024)} MB, too large for a message. Send it as a file instead (drag it in from the Explorer).`,
    };
  }
  const info = imageInfo(bytes);
  if (!info) return { error: `${name} is not a PNG, JPEG, GIF or WebP image, so it cannot go into a message. Drag it in to send it as a file.` };
  return info;
}
