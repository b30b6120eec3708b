/**
 * The text selected in a terminal, for "Send Terminal Selection to Peer…" (issue 28). VS Code
 * tells extensions each terminal's selection as it changes (`Terminal.selection`: a proposal since
 * 1.82 whose getter needs no opt-in), so it is read as it is, before any picker takes the focus.
 * Where a VS Code does not report it, the selection is copied and read back from the clipboard,
 * which is then restored. No `vscode` here: codeSending.ts gives the ports.
 */

/** What VS Code says is selected: `text` undefined when nothing is. */
export type ReportedSelection = { supported: true; text: string | undefined } | { supported: false };

export interface TerminalSelectionPorts {
  /** The active terminal's selection as VS Code reported it. */
  reported(): ReportedSelection;
  /** VS Code's Copy Selection of the active terminal. */
  copySelection(): Promise<void>;
  /** The clipboard's text, or undefined when it does not answer in time (a browser may not). */
  readClipboard(): Promise<string | undefined>;
  writeClipboard(text: string): Promise<void>;
  sleep(ms: number): Promise<void>;
}

export type SelectionRead = { text: string } | { problem: string };

/** How many times the clipboard is read after the copy: in a browser the copy lands a moment later. */
const CLIPBOARD_READS = 5;
const CLIPBOARD_PAUSE_MS = 100;

export const NOTHING_SELECTED = 'Select text in the terminal first.';
export const CLIPBOARD_SILENT =
  'The terminal selection could not be read: this VS Code does not report it and the clipboard did not answer (in a browser, allow the page to use the clipboard).';

/** The selection as sent: Windows line ends made `\n`, trailing blank space dropped. */
export function tidySelection(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
}

/** The selected text, or what stops it being read, within `maxChars`. */
export async function readTerminalSelection(ports: TerminalSelectionPorts, maxChars: number): Promise<SelectionRead> {
  const reported = ports.reported();
  const raw = reported.supported ? (reported.text ?? '') : await copiedSelection(ports);
  if (raw === undefined) return { problem: CLIPBOARD_SILENT };
  const text = tidySelection(raw);
  if (text === '') return { problem: NOTHING_SELECTED };
  if (text.length > maxChars) return { problem: `The selection is too long to send (${text.length} characters; the limit is ${maxChars}).` };
  return { text };
}

/**
 * Copy Selection, read back, and the user's clipboard put back as it was; undefined when the
 * clipboard does not answer (nothing is overwritten then).
 */
async function copiedSelection(ports: TerminalSelectionPorts): Promise<string | undefined> {
  const saved = await ports.readClipboard();
  if (saved === undefined) return undefined;
  await ports.writeClipboard('');
  let copied: string | undefined = '';
  try {
    await ports.copySelection();
    for (let attempt = 0; attempt < CLIPBOARD_READS; attempt++) {
      if (attempt > 0) await ports.sleep(CLIPBOARD_PAUSE_MS * attempt);
      copied = await ports.readClipboard();
      if (copied === undefined || copied !== '') break;
    }
  } finally {
    await ports.writeClipboard(saved);
  }
  return copied;
}
