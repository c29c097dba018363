#!/usr/bin/env bash
# The README's main command. With a kubeconfig (KUBECONFIG or ~/.kube/config) it runs against that cluster; with none
# it starts the embedded local control plane first (built once, cached) and runs there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
exec node src/cli/sparkop.ts "$@"
