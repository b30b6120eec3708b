import { button, h, icon } from './dom';
import { post } from './vscodeApi';

/** Fills a code element with its text: coloured (highlight.ts), or plain until the highlighter is here (formatting.ts). */
export type CodePainter = (code: HTMLElement, text: string, label: string | undefined) => void;

/**
 * A fenced code block in a message: its language, Copy (through the extension's clipboard) and
 * Open in Editor (a new untitled document in that language), and the code coloured in the
 * user's theme. The code itself is only ever text (highlightInto builds Text nodes and spans).
 */
export function fencedCodeBlock(text: string, label: string | undefined, paint: CodePainter): HTMLElement {
  const language = label?.trim() ? label.trim() : undefined;
  const shown = language ?? 'text';
  const code = h('code', {});
  paint(code, text, language);
  const copy = button('link-button copy-code', `Copy ${shown} code`, [icon('copy'), 'Copy'], () => {
    post({ type: 'copy-text', text });
    copy.setAttribute('title', 'Copied');
  });
  return h(
    'figure',
    { className: 'code-block md-code-block', attrs: { 'aria-label': `${shown} code` } },
    h(
      'figcaption',
      { className: 'code-header' },
      icon('code'),
      h('span', { className: 'code-location' }, shown),
      copy,
      button('link-button open-snippet', `Open ${shown} code in an editor`, [icon('go-to-file'), 'Open in Editor'], () =>
        post({ type: 'open-snippet', language: language ?? '', text }),
      ),
    ),
    h('pre', { className: 'code-text', attrs: { tabindex: '0' } }, code),
  );
}
