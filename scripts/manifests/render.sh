#!/usr/bin/env bash
# Regenerates the chart's generated parts, then the plain manifests under config/ from the chart.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/node-env.sh"
node scripts/helm/generate-chart.ts
node scripts/manifests/render.ts
