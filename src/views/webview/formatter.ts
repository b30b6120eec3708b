/**
 * What formats messages: markdown-it with the DOM builder (and as one line of plain text), and
 * shiki's highlighter. A bundle of
 * its own (dist/webview-formatter.js), imported by formatting.ts after the first screen is
 * painted, so opening the panel does not wait for these libraries to load and run.
 */
export { renderMarkdown } from './markdown';
export { markdownOneLine } from '../../model/text/markdownText';
export { grammarArrived, grammarComing, highlightInto, setCodeTheme } from './highlight';
