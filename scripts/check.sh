#!/usr/bin/env bash
# Type check + lint + format check. Runs on the project's own Node (node_modules/.bin is first on PATH under npm).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/node-env.sh
echo "[check] tsc (type check)"
tsc -p tsconfig.json
echo "[check] biome (lint + format)"
biome ci .
echo "[check] ok"
