#!/usr/bin/env bash
# The README's main command. With a kubeconfig (KUBECONFIG or ~/.kube/config) it runs against that cluster; with none
# it starts the embedded local control plane first (built once, cached) and runs there.
# It runs what the image ships: the JavaScript emitted into dist/ (about 1 s, every start), not the .ts sources.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
bash scripts/build.sh
# Node flags and environment: src/operator/node-flags.ts (test/unit/deploy-image.test.ts keeps them equal).
export MALLOC_MMAP_THRESHOLD_=131072
exec node --max-semi-space-size=16 --heap-growing-percent=25 dist/cli/sparkop.js "$@"
