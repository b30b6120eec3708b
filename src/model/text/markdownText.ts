import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';

/**
 * A message's markdown as plain text, for every place that shows text but renders no markdown:
 * a terminal (the CLI), a notification, the conversation list's preview. Pure, no `vscode`: the
 * CLI and the model both use it. What comes back is peer text still: callers make it safe for
 * their sink (safeForTerminal, `inert`, a Text node).
 */

// The webview's parser and settings (raw HTML stays characters), so every place reads a message alike.
const markdown = new MarkdownIt({ html: false, linkify: false });

export interface PlainTextOptions {
  /**
   * Lines drawn for structure (default true): the top two headings underlined, a rule under a
   * table's header row, a thematic break as a line and quotes behind "│ ". Off for one-line
   * previews, where they are only noise.
   */
  decorated?: boolean;
}

/**
 * Emphasis and code markers dropped, headings on their own line, lists with bullets or numbers
 * and ☐/☑ for tasks, code blocks indented four spaces, tables in columns, links as
 * "text (url)". Plain text comes back exactly as it was.
 */
export function markdownAsPlainText(text: string, options: PlainTextOptions = {}): string {
  if (!MARKUP.test(text)) return text;
  const rendered = new PlainLines(options.decorated ?? true).render(markdown.parse(text, {}));
  // Markup with nothing inside (an empty code fence, a lone "#") says more as it was typed.
  return rendered.trim() === '' ? text : rendered;
}

/** Source characters read per character of a preview: room for link addresses and markup. */
const SOURCE_PER_CHAR = 4;
/** Read at least this much, so a short preview of a long code fence still finds the fence's end. */
const MIN_SOURCE_CHARS = 1_000;

/**
 * The start of a message as plain text on one line (whitespace folded), at most `maxChars` code
 * points with "…" when cut. Only the start of a long message is parsed, so a list of previews
 * stays cheap however long the messages are.
 */
export function markdownOneLine(text: string, maxChars: number): string {
  const limit = Math.max(1, Math.floor(maxChars));
  const sourceChars = Math.max(MIN_SOURCE_CHARS, limit * SOURCE_PER_CHAR);
  const source = text.length > sourceChars ? text.slice(0, sourceChars) : text;
  const line = markdownAsPlainText(source, { decorated: false }).replace(/\s+/g, ' ').trim();
  const points = Array.from(line);
  if (points.length <= limit && source === text) return line;
  return `${points
    .slice(0, limit - 1)
    .join('')
    .trimEnd()}…`;
}

/** Characters without which a text has no markdown worth rendering (the usual chat line). */
const MARKUP = /[*_~`#>|[\]!<&\\=-]|^\s*\d+[.)]\s/m;
const TASK = /^\[([ xX])\] /;
const RULE = '─'.repeat(20);

interface ListLevel {
  ordered: boolean;
  next: number;
}

class PlainLines {
  private readonly lines: string[] = [];
  /** What each line of the current block starts with (quotes and list indents). */
  private readonly prefixes: string[] = [];
  private readonly lists: ListLevel[] = [];
  /** The marker of a list item whose first line is still to come. */
  private marker: string | undefined;
  private table: string[][] | undefined;
  private heading: string | undefined;

  constructor(private readonly decorated: boolean) {}

  render(tokens: Token[]): string {
    for (const token of tokens) this.block(token);
    return this.lines.join('\n');
  }

  private block(token: Token): void {
    switch (token.type) {
      case 'heading_open':
        this.gap();
        this.heading = token.tag;
        return;
      case 'heading_close':
        this.heading = undefined;
        return;
      case 'paragraph_open':
        if (!token.hidden) this.gap();
        return;
      case 'inline':
        return this.inline(token);
      case 'bullet_list_open':
      case 'ordered_list_open':
        if (this.lists.length === 0) this.gap();
        this.lists.push({ ordered: token.type === 'ordered_list_open', next: Number(token.attrGet('start') ?? 1) });
        return;
      case 'bullet_list_close':
      case 'ordered_list_close':
        this.lists.pop();
        return;
      case 'list_item_open': {
        const list = this.lists[this.lists.length - 1];
        this.marker = list?.ordered ? `${list.next++}. ` : '• ';
        this.prefixes.push(' '.repeat(this.marker.length));
        return;
      }
      case 'list_item_close':
        this.prefixes.pop();
        this.marker = undefined;
        return;
      case 'blockquote_open':
        this.gap();
        this.prefixes.push(this.decorated ? '│ ' : '');
        return;
      case 'blockquote_close':
        this.prefixes.pop();
        return;
      case 'fence':
      case 'code_block':
        this.gap();
        for (const line of token.content.replace(/\n$/, '').split('\n')) this.push(`    ${line}`);
        return;
      case 'hr':
        this.gap();
        if (this.decorated) this.push(RULE);
        return;
      case 'table_open':
        this.gap();
        this.table = [];
        return;
      case 'tr_open':
        this.table?.push([]);
        return;
      case 'table_close':
        this.flushTable();
        return;
      default:
        // Closing tags of paragraphs, table sections and cells: nothing to print.
        return;
    }
  }

  private inline(token: Token): void {
    let text = inlineText(token.children ?? []);
    if (this.table) {
      this.table[this.table.length - 1]?.push(text.replace(/\n/g, ' '));
      return;
    }
    if (this.marker !== undefined) text = text.replace(TASK, (_, mark: string) => (mark === ' ' ? '☐ ' : '☑ '));
    const lines = text.split('\n');
    for (const line of lines) this.push(line);
    if (this.decorated && (this.heading === 'h1' || this.heading === 'h2')) {
      const width = Math.min(60, widest(lines));
      if (width > 0) this.push((this.heading === 'h1' ? '═' : '─').repeat(width));
    }
  }

  private flushTable(): void {
    const rows = this.table ?? [];
    this.table = undefined;
    const columns = rows.reduce((most, r) => Math.max(most, r.length), 0);
    const widths = Array.from({ length: columns }, (_, c) => widest(rows.map((r) => r[c] ?? '')));
    const line = (row: string[]) =>
      widths
        .map((w, c) => pad(row[c] ?? '', w))
        .join(' | ')
        .trimEnd();
    rows.forEach((row, i) => {
      this.push(line(row));
      if (this.decorated && i === 0 && rows.length > 1) this.push(widths.map((w) => '-'.repeat(w)).join('-+-'));
    });
  }

  /** A blank line between blocks at the top (inside lists and quotes they follow each other). */
  private gap(): void {
    if (this.lines.length > 0 && this.prefixes.length === 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }

  private push(line: string): void {
    const indent = this.prefixes.join('');
    if (this.marker !== undefined) {
      // The item's first line carries its marker where the indent of its others is.
      this.lines.push(indent.slice(0, indent.length - this.marker.length) + this.marker + line);
      this.marker = undefined;
    } else {
      this.lines.push(indent + line);
    }
  }
}

/** An inline run as text: markers dropped, breaks kept, links followed by their address. */
function inlineText(children: Token[]): string {
  let out = '';
  const links: { href: string; start: number }[] = [];
  for (const child of children) {
    switch (child.type) {
      case 'text':
      case 'code_inline':
      case 'html_inline':
        out += child.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        out += '\n';
        break;
      case 'link_open':
        links.push({ href: String(child.attrGet('href') ?? ''), start: out.length });
        break;
      case 'link_close': {
        const link = links.pop();
        const label = link ? out.slice(link.start) : '';
        // An autolink's text is its address already.
        if (link && link.href !== '' && link.href !== label && link.href !== `mailto:${label}`) out += ` (${link.href})`;
        break;
      }
      case 'image': {
        const src = String(child.attrGet('src') ?? '');
        out += (child.content || 'image') + (src ? ` (${src})` : '');
        break;
      }
      default:
        // strong, em and s open/close: their markers are what is dropped.
        break;
    }
  }
  return out;
}

/** The most characters in one of `texts` (reduced, not spread: a message may have many lines). */
function widest(texts: readonly string[]): number {
  return texts.reduce((most, t) => Math.max(most, [...t].length), 0);
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}
