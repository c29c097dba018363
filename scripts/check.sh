#!/usr/bin/env bash
# Type check + lint + format check. Runs on the project's own Node (node_modules/.bin is first on PATH under npm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/node-env.sh
echo "[check] tsc (type check)"
tsc -p tsconfig.json
echo "[check] biome (lint + format)"
# Plain text in logs (CI), colours on a terminal.
if [ -t 1 ]; then biome ci .; else biome ci --colors=off .; fi
echo "[check] ok"
