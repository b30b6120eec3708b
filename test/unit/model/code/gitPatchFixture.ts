/**
 * A patch as `git diff --cached -M` (git 2.39) wrote it for a small repository: a modified file
 * with two hunks, an added executable, a binary change, a deletion, a pure rename, a change to a
 * file without a final newline, and names with a space and with a non-ASCII letter.
 */
export const GIT_PATCH = [
  'diff --git a/a.txt b/a.txt',
  'index c9e9e05..c61fe5e 100644',
  '--- a/a.txt',
  '+++ b/a.txt',
  '@@ -1,5 +1,5 @@',
  ' one',
  '-two',
  '+TWO',
  ' three',
  ' four',
  ' five',
  '@@ -8,3 +8,4 @@ seven',
  ' eight',
  ' nine',
  ' ten',
  '+eleven',
  'diff --git a/added.txt b/added.txt',
  'new file mode 100755',
  'index 0000000..3e75765',
  '--- /dev/null',
  '+++ b/added.txt',
  '@@ -0,0 +1 @@',
  '+new',
  'diff --git a/bin.dat b/bin.dat',
  'index bdc955b..8835708 100644',
  'Binary files a/bin.dat and b/bin.dat differ',
  'diff --git a/gone.txt b/gone.txt',
  'deleted file mode 100644',
  'index 2fa992c..0000000',
  '--- a/gone.txt',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-keep',
  'diff --git a/old.txt b/new.txt',
  'similarity index 100%',
  'rename from old.txt',
  'rename to new.txt',
  'diff --git a/nonl.txt b/nonl.txt',
  'index 1b32298..6e94b48 100644',
  '--- a/nonl.txt',
  '+++ b/nonl.txt',
  '@@ -1,2 +1,2 @@',
  ' x',
  '-y',
  '\\ No newline at end of file',
  '+z',
  '\\ No newline at end of file',
  'diff --git a/sp ace.txt b/sp ace.txt',
  'index bca70f3..4286f42 100644',
  '--- a/sp ace.txt\t',
  '+++ b/sp ace.txt\t',
  '@@ -1 +1 @@',
  '-q',
  '+r',
  'diff --git "a/\\303\\274.txt" "b/\\303\\274.txt"',
  'index bca70f3..4286f42 100644',
  '--- "a/\\303\\274.txt"',
  '+++ "b/\\303\\274.txt"',
  '@@ -1 +1 @@',
  '-q',
  '+r',
  '',
].join('\n');

/** The files before the patch (bin.dat aside). */
export const BEFORE: Record<string, string> = {
  'a.txt': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n',
  'gone.txt': 'keep\n',
  'nonl.txt': 'x\ny',
  'old.txt': 'old name\n',
  'sp ace.txt': 'q\n',
  'ü.txt': 'q\n',
};

/** The files after it (undefined: removed). */
export const AFTER: Record<string, string | undefined> = {
  'a.txt': 'one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n',
  'added.txt': 'new\n',
  'gone.txt': undefined,
  'nonl.txt': 'x\nz',
  'old.txt': undefined,
  'new.txt': 'old name\n',
  'sp ace.txt': 'r\n',
  'ü.txt': 'r\n',
};

/** The patch without its binary file, which chat cannot apply. */
export const TEXT_PATCH = GIT_PATCH.replace(/diff --git a\/bin\.dat[^]*?(?=diff --git a\/gone)/, '');
