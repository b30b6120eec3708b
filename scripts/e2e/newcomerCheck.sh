#!/usr/bin/env bash
# The newcomer check: does what README.md's "Install the extension" section tells a newcomer, on
# the VS Code host the e2e suite caches (code-server, in .vscode-test/), and fails if the extension
# does not end up installed. Steps, as the README gives them:
#   npm run package                                          -> team-messenger-<version>.vsix
#   code-server --install-extension team-messenger-<version>.vsix
# then `--list-extensions` must list team-messenger.team-messenger at that version. code-server gets
# throwaway --user-data-dir, --extensions-dir and XDG folders, removed at the end, so nothing of the
# user's own editor is touched. Run by .ci/run after the e2e suite (which prepared the host; if it
# is not there, scripts/e2e/prepareHost.js prepares it first).
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { echo "[newcomer] $*"; }
fail() { echo "[newcomer] FAILED: $*" >&2; exit 1; }

name=$(node -p "require('./package.json').name")
publisher=$(node -p "require('./package.json').publisher")
version=$(node -p "require('./package.json').version")
vsix="$name-$version.vsix"
id="$publisher.$name"

# The README's commands name this version's file: a version bump must update them too.
for line in "npm install && npm run package" "code --install-extension $vsix" "code-server --install-extension $vsix"; do
  grep -qF -- "$line" README.md || fail "README.md's install section does not say \`$line\`"
done
say "README.md names $vsix"

say "\$ npm run package"
rm -f "$vsix"
npm run package
[ -f "$vsix" ] || fail "npm run package did not write $vsix"

# The cached code-server and the Node 24 it runs on (written by prepareHost.js once the host is ready).
[ -f .vscode-test/host.json ] || node scripts/e2e/prepareHost.js
node_bin=$(node -p "require('./.vscode-test/host.json').node")
entry=$(node -p "require('./.vscode-test/host.json').codeServerEntry")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tm-newcomer-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# code-server runs with a clean environment of its own: inside a VS Code terminal VSCODE_IPC_HOOK_CLI
# would hand the request to that editor, and an enclosing `npm run` says Node 20 in its npm_* variables.
code_server() {
  env -u VSCODE_IPC_HOOK_CLI -u NODE_OPTIONS \
    $(env | sed -n 's/^\(npm_[^=]*\)=.*/-u \1/ip') \
    PATH="$(dirname "$node_bin"):$PATH" \
    XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data" XDG_CACHE_HOME="$tmp/xdg/cache" \
    "$node_bin" "$entry" --user-data-dir "$tmp/user-data" --extensions-dir "$tmp/extensions" "$@"
}

say "\$ code-server --install-extension $vsix"
code_server --install-extension "$vsix"

say "\$ code-server --list-extensions --show-versions"
listed=$(code_server --list-extensions --show-versions)
echo "$listed"
grep -qxF "$id@$version" <<<"$listed" || fail "$id@$version is not among the installed extensions"
say "ok: $id@$version is installed"
