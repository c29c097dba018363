#!/usr/bin/env bash
# Emits the operator as JavaScript: src/ → dist/ (tsconfig.build.json: emit only, no type check; that is
# scripts/check.sh). `npm start`, the benchmarks and the image run dist/cli/sparkop.js rather than the .ts sources:
# Node's type stripper costs the process about 26 MB of RSS for its whole life.
# The new tree is emitted beside the old one and swapped in by two renames, one build at a time: files of deleted
# sources do not linger, and an operator starting from dist/ while another build runs finds it complete.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"

start_ms="$(date +%s%3N)"
# Under node_modules/ (ignored by git and Biome, same file system as dist/, so the renames are atomic).
exec 9>node_modules/.sparkop-build.lock
if ! flock -n 9; then
  echo "[build] another build is running; waiting for it" >&2
  flock 9
fi
work="$(mktemp -d node_modules/.sparkop-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT

tsc -p tsconfig.build.json --outDir "$work/dist" || sparkop_die "tsc could not emit dist/ (see above)"
# Both renames in one process: dist/ is missing for microseconds, not for the start of a second `mv`.
node -e 'const fs = require("node:fs");
const [next, old] = process.argv.slice(1);
if (fs.existsSync("dist")) fs.renameSync("dist", old);
fs.renameSync(next, "dist");' "$work/dist" "$work/old"
echo "[build] src/ → dist/ (JavaScript) in $(($(date +%s%3N) - start_ms)) ms" >&2
