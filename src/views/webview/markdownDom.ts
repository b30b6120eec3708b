import type { Token } from 'markdown-it';
import type { MentionView } from '../chatProtocol';
import { fencedCodeBlock } from './codeBlockView';
import { type Child, h } from './dom';
import { replaceShortcodes } from './emojiData';
import { highlightInto } from './highlight';
import { linkKind } from './markdownLinks';
import { textLocations } from './textLocations';
import { post } from './vscodeApi';

/**
 * markdown-it's tokens as DOM. Each element comes from a fixed list of tags (an unknown token
 * becomes a plain span), text only ever becomes Text nodes, and no attribute but a few known
 * ones (a list's start, a cell's alignment as a class, a link's target as data-href) is copied.
 * Links are not <a href>: the page itself never navigates; a click asks the extension.
 */

const TAGS = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'em',
  'strong',
  's',
]);
/** Links made clickable in one message; the rest stay text. */
const MAX_LINKS = 200;
const TASK = /^\[([ xX])\][ \t]/;
/** '#deploys' after a space, a bracket or the start, as the relay spells channel names. */
const CHANNEL = /(?<![\p{L}\p{N}_&#/-])#[a-z0-9][a-z0-9_-]{0,79}(?![\p{L}\p{N}_-])/u;

export function markdownToDom(tokens: Token[], mentions: readonly MentionView[]): DocumentFragment {
  const root = document.createDocumentFragment();
  const decorate = decorator(mentions);
  const links = { left: MAX_LINKS };
  markTasks(tokens);
  const stack: Node[] = [root];
  for (const token of tokens) {
    const parent = stack[stack.length - 1]!;
    if (token.nesting === 1) {
      const el = token.hidden ? undefined : blockOpen(token);
      if (el) parent.appendChild(el);
      stack.push(el ?? parent);
    } else if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
    } else if (token.type === 'inline') {
      inline(parent, token.children ?? [], decorate, links);
    } else if (token.type === 'inline_plain') {
      // A run too long to format (markdown.ts): its lines as text.
      token.content.split('\n').forEach((line, i) => append(parent, [i > 0 && h('br', {}), line]));
    } else if (token.type === 'fence') {
      parent.appendChild(fencedCodeBlock(trimFinalNewline(token.content), token.info.split(/\s+/)[0], highlightInto));
    } else if (token.type === 'code_block') {
      parent.appendChild(fencedCodeBlock(trimFinalNewline(token.content), undefined, highlightInto));
    } else if (token.type === 'hr') {
      parent.appendChild(h('hr', {}));
    }
  }
  return root;
}

function blockOpen(token: Token): HTMLElement {
  const el = h(TAGS.has(token.tag) ? (token.tag as 'p') : 'div', { className: `md-${token.tag}` });
  if (token.tag === 'ol') {
    const start = Number(token.attrGet('start'));
    if (Number.isInteger(start) && start >= 0 && start !== 1) el.setAttribute('start', String(start));
  }
  if (token.tag === 'th' || token.tag === 'td') {
    const align = /text-align:(left|right|center)/.exec(String(token.attrGet('style') ?? ''))?.[1];
    if (align) el.classList.add(`md-align-${align}`);
  }
  if (token.tag === 'li' && token.meta?.task !== undefined) {
    const checked = token.meta.task === true;
    el.classList.add('md-task');
    el.prepend(
      h('span', {
        className: `codicon codicon-${checked ? 'pass-filled' : 'circle-large-outline'} md-task-box`,
        attrs: { role: 'img', 'aria-label': checked ? 'Done:' : 'To do:' },
      }),
    );
  }
  return el;
}

/** A GFM task item ("- [x] done"): the list item is marked, the "[x] " taken off its text. */
function markTasks(tokens: Token[]): void {
  for (let i = 0; i + 2 < tokens.length; i++) {
    const item = tokens[i]!;
    const first = tokens[i + 2]!.children?.[0];
    if (item.type !== 'list_item_open' || tokens[i + 1]!.type !== 'paragraph_open' || first?.type !== 'text') continue;
    const match = TASK.exec(first.content);
    if (!match) continue;
    item.meta = { ...(item.meta as object), task: match[1] !== ' ' };
    first.content = first.content.slice(match[0].length);
  }
}

function inline(parent: Node, children: Token[], decorate: (text: string) => Child[], links: { left: number }): void {
  const stack: Node[] = [parent];
  let link = 0; // inside a link: its text is not decorated (no mention spans inside a link)
  for (const token of children) {
    const at = stack[stack.length - 1]!;
    switch (token.type) {
      case 'text':
        append(at, link > 0 ? [token.content] : withLocations(token.content, decorate, links));
        break;
      case 'text_special':
        at.appendChild(document.createTextNode(token.content));
        break;
      case 'code_inline':
        at.appendChild(h('code', { className: 'md-code-inline' }, token.content));
        break;
      case 'softbreak':
      case 'hardbreak':
        at.appendChild(h('br', {}));
        break;
      case 'link_open': {
        // Past the cap a link is its text: thousands of live links in one message are no help to anyone.
        const el = links.left-- > 0 ? linkElement(String(token.attrGet('href') ?? '')) : h('span', { className: 'md-link-text' });
        at.appendChild(el);
        stack.push(el);
        link++;
        break;
      }
      case 'link_close': {
        const closed = stack.length > 1 ? (stack.pop() as HTMLElement) : undefined;
        // A link not followed shows where it pointed, as text, so nothing is hidden behind a label.
        const target = closed?.dataset.target;
        if (target !== undefined && target !== closed!.textContent)
          stack[stack.length - 1]!.appendChild(h('span', { className: 'md-link-target' }, ` (${target})`));
        link = Math.max(0, link - 1);
        break;
      }
      default:
        if (token.nesting === 1) {
          const el = h(TAGS.has(token.tag) ? (token.tag as 'em') : 'span', { className: `md-${token.tag}` });
          at.appendChild(el);
          stack.push(el);
        } else if (token.nesting === -1) {
          if (stack.length > 1) stack.pop();
        } else if (token.content) {
          at.appendChild(document.createTextNode(token.content));
        }
    }
  }
}

/** Ordinary text with each `path:line[:col]` in it a file link (issue 28), within the same cap. */
function withLocations(text: string, decorate: (text: string) => Child[], links: { left: number }): Child[] {
  const parts: Child[] = [];
  let at = 0;
  for (const location of textLocations(text, links.left)) {
    links.left--;
    parts.push(...decorate(text.slice(at, location.start)));
    const el = linkElement(location.href);
    el.append(text.slice(location.start, location.end));
    parts.push(el);
    at = location.end;
  }
  parts.push(...decorate(text.slice(at)));
  return parts;
}

/** A link the extension opens on click or Enter; one it would not open is text with a tooltip. */
function linkElement(href: string): HTMLElement {
  const kind = linkKind(href);
  if (!kind) return h('span', { className: 'md-link-refused', attrs: { title: `Not opened from chat: ${href}`, 'data-target': href } });
  const title = kind === 'file' ? `Open ${href} from your workspace` : href;
  const el = h('a', { className: `md-link md-link-${kind}`, attrs: { role: 'link', tabindex: '0', title, 'data-href': href } });
  const open = (event: Event) => {
    event.preventDefault();
    event.stopPropagation();
    post({ type: 'open-link', href });
  };
  el.addEventListener('click', open);
  el.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') open(event);
  });
  return el;
}

/** Text with :shortcodes: as emoji and the message's mentions and #channel names in spans. */
function decorator(mentions: readonly MentionView[]): (text: string) => Child[] {
  const names = [...new Map(mentions.slice(0, 50).map((m) => [m.text, m])).values()].filter((m) => m.text.length > 1);
  names.sort((a, b) => b.text.length - a.text.length);
  const mentionPattern = names.map((m) => escapeRegExp(m.text)).join('|');
  // A name as typed need not match its case ("@bob smith" mentions Bob Smith, as the relay reads it).
  const pattern = new RegExp(mentionPattern ? `${mentionPattern}|${CHANNEL.source}` : CHANNEL.source, 'giu');
  const self = new Set(names.filter((m) => m.self).map((m) => m.text.toLowerCase()));
  return (raw) => {
    const text = replaceShortcodes(raw);
    const parts: Child[] = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const found = match[0];
      // Channel names are lower case: the flag that lets names match in any case must not widen them.
      if (found === '' || (found.startsWith('#') && found !== found.toLowerCase())) continue;
      parts.push(text.slice(last, match.index));
      if (found.startsWith('#')) parts.push(h('span', { className: 'md-channel' }, found));
      else parts.push(h('span', { className: `mention${self.has(found.toLowerCase()) ? ' mention-self' : ''}` }, found));
      last = match.index + found.length;
    }
    parts.push(text.slice(last));
    return parts.filter((part) => part !== '');
  };
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function trimFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
