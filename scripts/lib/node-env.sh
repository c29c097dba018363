# Sourced by the project's scripts: checks prerequisites, installs npm dependencies when package-lock.json changed,
# and puts the project's own Node 24 (the `node` npm package) first on PATH.
# shellcheck shell=bash
SPARKOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$SPARKOP_ROOT"

sparkop_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v npm >/dev/null 2>&1 || sparkop_die "npm is required (any Node.js >= 18 with npm). The project brings its own Node 24 through npm."

# npm ci when node_modules is missing or was installed from another lock file.
if [ ! -x node_modules/.bin/node ] || ! cmp -s package-lock.json node_modules/.sparkop-installed-lock; then
  echo "[setup] installing npm dependencies (npm ci, brings Node 24)…" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2 || sparkop_die "npm ci failed (see above)"
  cp package-lock.json node_modules/.sparkop-installed-lock
fi
export PATH="$SPARKOP_ROOT/node_modules/.bin:$PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 24 ] || sparkop_die "expected Node 24 from node_modules/.bin/node, got $(node --version)"
