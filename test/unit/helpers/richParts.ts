import type { Attachment, Mention } from '../../../src/net/protocol/richMessages';
import type { Prng } from './prng';

/**
 * Seeded mentions, urgency and attachments (issue 27) for the codec and frame tests: ids,
 * @channel/@here, images with and without thumbnails, files, names in `text` (hostile text
 * included, as the caller's generator makes it).
 */
export function randomRichParts(
  rng: Prng,
  ids: readonly string[],
  text: (max: number) => string,
): { mentions?: Mention[]; urgent?: true; attachments?: Attachment[] } {
  return {
    ...(rng.chance(0.2) ? { mentions: Array.from({ length: rng.int(1, 4) }, () => rng.pick<Mention>([...ids, 'channel', 'here'])) } : {}),
    ...(rng.chance(0.1) ? { urgent: true as const } : {}),
    ...(rng.chance(0.2) ? { attachments: Array.from({ length: rng.int(1, 3) }, (_, i) => randomAttachment(rng, i, text)) } : {}),
  };
}

const HEX = '0123456789abcdef';

export function randomAttachment(rng: Prng, index: number, text: (max: number) => string): Attachment {
  const sha256 = Array.from({ length: 64 }, () => HEX[rng.int(0, 15)]).join('');
  const image = rng.chance(0.5);
  return {
    id: `a${index}-${sha256.slice(0, rng.int(1, 12))}`,
    kind: image ? 'image' : 'file',
    name: text(40) || 'f',
    size: rng.int(0, 2 ** 40),
    mime: image ? rng.pick(['image/png', 'image/jpeg', 'image/webp']) : rng.pick(['application/pdf', 'text/plain', 'application/vnd.ms-excel']),
    sha256,
    ...(image && rng.chance(0.8) ? { width: rng.int(1, 100_000), height: rng.int(1, 100_000) } : {}),
    ...(image && rng.chance(0.7)
      ? { thumb: 'iVBORw0KGgo' + 'A'.repeat(rng.int(0, 300)) + '==', thumbMime: rng.pick(['image/png', 'image/jpeg', 'image/webp'] as const) }
      : {}),
  };
}
