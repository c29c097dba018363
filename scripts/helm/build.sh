#!/usr/bin/env bash
# Builds helm from the Go module proxy (helm.sh/helm/v3/cmd/helm), once per version, into
#   $CACHE/helm-$HELM_VERSION/bin/helm
# It is rebuilt only when its stamp (version + recipe) changes; Go's module and build caches are reused.
# Progress goes to stderr; the last line of stdout is HELM_BIN=<dir>.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
BUILD_LOG_PREFIX=helm
# shellcheck source=../lib/build-common.sh
source "$here/../lib/build-common.sh"
# Bump when the way helm is built changes.
RECIPE=1

require_go

dir="$CACHE/helm-$HELM_VERSION"
stamp="helm $HELM_VERSION recipe-$RECIPE"
take_build_lock helm-build

if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/helm" ]; then
  log "helm $HELM_VERSION: cached"
else
  log "helm $HELM_VERSION: building helm.sh/helm/v3/cmd/helm (first time only; a few minutes on 2 cores)"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  # helm prints its version from these variables; without them `helm version` says v3.x-dev.
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  GOBIN="$dir/bin" run_with_progress "helm: go install" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "$stamp" >"$dir/.stamp"
fi
echo "HELM_BIN=$dir/bin"
