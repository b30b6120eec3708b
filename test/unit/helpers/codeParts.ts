import type { CodeParts } from '../../../src/net/protocol/codeMessages';
import type { Prng } from './prng';

/**
 * Seeded patches, terminal/problem blocks and typed path:line links (issue 28) for the codec and frame tests, hostile
 * text included (the caller's generator makes it).
 */
export function randomCodeParts(rng: Prng, text: (max: number) => string, options: { links?: boolean } = {}): CodeParts {
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(0, 15)]).join('');
  return {
    ...(rng.chance(0.1)
      ? {
          patch: {
            text: text(400) || '-',
            files: Array.from({ length: rng.int(1, 3) }, () => ({
              path: text(30) || 'p',
              ...(rng.chance(0.2) ? { oldPath: text(30) || 'o' } : {}),
              change: rng.pick(['modified', 'added', 'deleted', 'renamed', 'copied'] as const),
              added: rng.int(0, 5000),
              removed: rng.int(0, 5000),
              ...(rng.chance(0.1) ? { binary: true as const } : {}),
            })),
            ...(rng.chance(0.5) ? { repositories: [text(40) || 'github.com/a/b'] } : {}),
            ...(rng.chance(0.5) ? { commit: hex(rng.chance(0.9) ? 40 : 64) } : {}),
          },
        }
      : {}),
    ...(rng.chance(0.1) ? { block: rng.pick(['terminal', 'problem'] as const) } : {}),
    ...(rng.chance(0.05)
      ? {
          problem: {
            path: text(30) || 'p',
            line: rng.int(1, 10_000),
            ...(rng.chance(0.5) ? { column: rng.int(1, 200) } : {}),
            severity: rng.pick(['error', 'warning', 'info', 'hint'] as const),
            message: text(100) || 'm',
            ...(rng.chance(0.5) ? { source: text(10) } : {}),
          },
        }
      : {}),
    ...(options.links && rng.chance(0.05)
      ? {
          links: Array.from({ length: rng.int(1, 3) }, () => ({
            written: text(30) || 'w',
            line: rng.int(1, 10_000),
            ...(rng.chance(0.5) ? { repositories: [text(40) || 'github.com/a/b'] } : {}),
            ...(rng.chance(0.5) ? { commit: hex(40) } : {}),
            path: text(30) || 'p',
            ...(rng.chance(0.5) ? { snippetHash: hex(64) } : {}),
          })),
        }
      : {}),
  };
}
