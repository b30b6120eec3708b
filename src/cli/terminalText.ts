import { markdownAsPlainText } from '../model/text/markdownText';

/**
 * Peer text shown in a terminal must not drive the terminal: control characters (escape
 * sequences, bells, carriage returns that overwrite a line) are shown as visible escapes.
 * Newlines and tabs stay.
 */
export function safeForTerminal(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A message's markdown as plain text for a terminal (markdownAsPlainText, with its headings
 * underlined and quotes behind "│ "). Control characters are made visible first
 * (safeForTerminal), so the parser never turns a carriage return into a line or drops a NUL: the
 * reader sees what was sent.
 */
export function markdownAsText(text: string): string {
  return markdownAsPlainText(safeForTerminal(text));
}
