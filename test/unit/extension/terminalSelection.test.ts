import { strict as assert } from 'node:assert';
import {
  CLIPBOARD_SILENT,
  NOTHING_SELECTED,
  readTerminalSelection,
  ReportedSelection,
  TerminalSelectionPorts,
  tidySelection,
} from '../../../src/extension/terminalSelection';

const TRACE = 'Error: boom\r\n    at twice (src/sample.ts:7:10)\r\n    at Object.<anonymous> (/elsewhere/main.ts:3:1)\r\n   \r\n';
const TIDY = 'Error: boom\n    at twice (src/sample.ts:7:10)\n    at Object.<anonymous> (/elsewhere/main.ts:3:1)';

/** A terminal and a clipboard: what VS Code reports, what Copy Selection puts on the clipboard and when. */
class FakeTerminal implements TerminalSelectionPorts {
  clipboard: string | undefined = 'the user’s clipboard';
  /** What Copy Selection copies (nothing when undefined) and after how many reads it lands. */
  copies: string | undefined;
  landsAfterReads = 0;
  /** The clipboard stops answering after this many reads (a browser without permission: at once). */
  answersReads = Infinity;
  readonly calls: string[] = [];
  private reads = 0;
  private pending: string | undefined;

  constructor(private readonly report: ReportedSelection) {}

  reported(): ReportedSelection {
    this.calls.push('reported');
    return this.report;
  }
  async copySelection(): Promise<void> {
    this.calls.push('copy');
    this.pending = this.copies;
  }
  async readClipboard(): Promise<string | undefined> {
    this.calls.push('read');
    if (this.reads++ >= this.answersReads) return undefined;
    if (this.pending !== undefined && this.landsAfterReads-- <= 0) {
      this.clipboard = this.pending;
      this.pending = undefined;
    }
    return this.clipboard;
  }
  async writeClipboard(text: string): Promise<void> {
    this.calls.push(`write ${JSON.stringify(text)}`);
    this.clipboard = text;
  }
  async sleep(): Promise<void> {
    this.calls.push('sleep');
  }
}

describe('the terminal selection Send Terminal Selection to Peer… sends', function () {
  it('is what VS Code reports, tidied, without touching the clipboard', async function () {
    const terminal = new FakeTerminal({ supported: true, text: TRACE });
    assert.deepEqual(await readTerminalSelection(terminal, 10_000), { text: TIDY });
    assert.deepEqual(terminal.calls, ['reported'], 'no copy, no clipboard read or write');
    assert.equal(terminal.clipboard, 'the user’s clipboard');
  });

  it('is nothing when VS Code reports no selection: said, and no Copy Selection (it would warn)', async function () {
    for (const text of [undefined, '', ' \r\n ']) {
      const terminal = new FakeTerminal({ supported: true, text });
      assert.deepEqual(await readTerminalSelection(terminal, 10_000), { problem: NOTHING_SELECTED });
      assert.deepEqual(terminal.calls, ['reported']);
    }
  });

  it('is refused when longer than the limit, with both lengths', async function () {
    const terminal = new FakeTerminal({ supported: true, text: 'x'.repeat(101) });
    assert.deepEqual(await readTerminalSelection(terminal, 100), {
      problem: 'The selection is too long to send (101 characters; the limit is 100).',
    });
  });

  describe('where VS Code does not report it', function () {
    it('is copied and read back, and the user’s clipboard restored', async function () {
      const terminal = new FakeTerminal({ supported: false });
      terminal.copies = TRACE;
      assert.deepEqual(await readTerminalSelection(terminal, 10_000), { text: TIDY });
      assert.deepEqual(terminal.calls, ['reported', 'read', 'write ""', 'copy', 'read', 'write "the user’s clipboard"']);
      assert.equal(terminal.clipboard, 'the user’s clipboard');
    });

    it('is read again, after growing pauses, when the copy lands late (a browser)', async function () {
      const terminal = new FakeTerminal({ supported: false });
      terminal.copies = TRACE;
      terminal.landsAfterReads = 2;
      assert.deepEqual(await readTerminalSelection(terminal, 10_000), { text: TIDY });
      assert.deepEqual(terminal.calls, ['reported', 'read', 'write ""', 'copy', 'read', 'sleep', 'read', 'sleep', 'read', 'write "the user’s clipboard"']);
      assert.equal(terminal.clipboard, 'the user’s clipboard');
    });

    it('is nothing when nothing was copied: a bounded number of reads, the clipboard restored', async function () {
      const terminal = new FakeTerminal({ supported: false });
      assert.deepEqual(await readTerminalSelection(terminal, 10_000), { problem: NOTHING_SELECTED });
      assert.equal(terminal.calls.filter((c) => c === 'copy').length, 1, 'one Copy Selection');
      assert.equal(terminal.calls.filter((c) => c === 'read').length, 6, 'the saved text, then five tries');
      assert.equal(terminal.clipboard, 'the user’s clipboard');
    });

    it('says the clipboard did not answer, and writes nothing, when it cannot be read', async function () {
      const terminal = new FakeTerminal({ supported: false });
      terminal.copies = TRACE;
      terminal.answersReads = 0;
      assert.deepEqual(await readTerminalSelection(terminal, 10_000), { problem: CLIPBOARD_SILENT });
      assert.deepEqual(terminal.calls, ['reported', 'read']);
      assert.equal(terminal.clipboard, 'the user’s clipboard');
    });

    it('says the clipboard did not answer when it stops after the copy, and still restores it', async function () {
      const terminal = new FakeTerminal({ supported: false });
      terminal.copies = TRACE;
      terminal.answersReads = 1;
      assert.deepEqual(await readTerminalSelection(terminal, 10_000), { problem: CLIPBOARD_SILENT });
      assert.deepEqual(terminal.calls.slice(-2), ['read', 'write "the user’s clipboard"']);
    });

    it('restores the clipboard when Copy Selection fails', async function () {
      const terminal = new FakeTerminal({ supported: false });
      terminal.copySelection = async () => {
        throw new Error('no terminal');
      };
      await assert.rejects(readTerminalSelection(terminal, 10_000), /no terminal/);
      assert.equal(terminal.clipboard, 'the user’s clipboard');
    });
  });

  it('is tidied: CRLF and CR become LF, trailing blank space goes, leading indentation stays', function () {
    assert.equal(tidySelection('  a\r\nb\rc \n\n'), '  a\nb\nc');
  });
});
