import type { MessageView } from '../chatProtocol';
import { findFileLocations } from '../../model/code/fileLocations';
import { PROBLEM_LOCATION, type CodeAction } from './codeActions';
import { button, h, icon } from './dom';

/**
 * A terminal or problem block (issue 28): the text monospace, every `path:line[:col]` in it
 * (stack-trace forms included, src/model/code/fileLocations.ts) a link the extension resolves in
 * this workspace; a problem's header says what and where. Text nodes only.
 */

const SEVERITY_ICON = { error: 'error', warning: 'warning', info: 'info', hint: 'lightbulb' } as const;

export function locationBlock(message: MessageView, act: CodeAction | undefined): HTMLElement {
  const problem = message.block === 'problem' ? message.problem : undefined;
  const where = problem && `${problem.path}:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}`;
  return h(
    'div',
    { className: `code-block location-block block-${message.block ?? 'terminal'}` },
    h(
      'div',
      { className: 'code-header' },
      icon(problem ? SEVERITY_ICON[problem.severity] : 'terminal'),
      problem && where
        ? h(
            'span',
            { className: 'code-location' },
            linkTo(where, `Open ${where}`, () => act?.(message.id, { type: 'open-location', index: PROBLEM_LOCATION })),
            ` ${problem.severity}${problem.source ? ` (${problem.source})` : ''}: ${problem.message}`,
          )
        : h('span', { className: 'code-location' }, 'Terminal output'),
    ),
    h('pre', { className: 'code-text location-text', attrs: { tabindex: '0' } }, h('code', {}, ...linked(message, act))),
  );
}

/** The text as Text nodes with a link button for each location in it. */
function linked(message: MessageView, act: CodeAction | undefined): (Node | string)[] {
  const text = message.text;
  const out: (Node | string)[] = [];
  let at = 0;
  findFileLocations(text).forEach((location, index) => {
    if (location.start > at) out.push(text.slice(at, location.start));
    const shown = text.slice(location.start, location.end);
    const label = `Open ${location.path}, line ${location.line}${location.column !== undefined ? `, column ${location.column}` : ''}`;
    out.push(linkTo(shown, label, () => act?.(message.id, { type: 'open-location', index })));
    at = location.end;
  });
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function linkTo(text: string, label: string, open: () => void): HTMLButtonElement {
  return button('link-button location-link', label, [text], open);
}
