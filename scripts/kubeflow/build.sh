#!/usr/bin/env bash
# Builds kubeflow's spark-operator (github.com/kubeflow/spark-operator/v2, cmd/operator) once per version into
#   $CACHE/kubeflow-operator-<version>/bin/operator   (CACHE = $SPARKOP_CACHE, else ~/.cache/sparkop)
# and keeps the module's source beside it ($CACHE/kubeflow-operator-<version>/src: CRDs, examples, flags).
# Usage: scripts/kubeflow/build.sh [version]   (default: KUBEFLOW_OPERATOR_VERSION in versions.env)
# Progress goes to stderr; the last lines of stdout are KUBEFLOW_OPERATOR=<binary> and KUBEFLOW_SRC=<source dir>.
# A cold build takes several minutes on 2 cores; a cached one only checks the stamp.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
BUILD_LOG_PREFIX=kubeflow
# shellcheck source=../lib/build-common.sh
source "$here/../lib/build-common.sh"
# Bump when the way the operator is built changes.
RECIPE=2

version="${1:-$KUBEFLOW_OPERATOR_VERSION}"
module=github.com/kubeflow/spark-operator/v2
dir="$CACHE/kubeflow-operator-$version"
stamp="kubeflow-operator $version recipe-$RECIPE"

require_go
take_build_lock "kubeflow-operator-$version"

if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/operator" ]; then
  log "spark-operator $version: cached in $dir"
else
  log "spark-operator $version: building $module/cmd/operator (first time only; several minutes on 2 cores)"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  run_with_progress "fetching $module@$version" go mod download "$module@$version"
  # The module's go.mod has replace directives, so `go install module@version` refuses it; build inside a writable
  # copy of the module instead (the module cache is read-only).
  cp -R "$(go env GOMODCACHE)/$module@$version" "$dir/src"
  chmod -R u+w "$dir/src"
  (
    cd "$dir/src"
    # -mod=mod: the module ships no vendor dir and its go.sum may lack sums of the replaced modules.
    run_with_progress "resolving modules" env GOFLAGS="$GOFLAGS -mod=mod" go mod download
    # The version stamp kubeflow's Makefile sets (`operator version` and the start-up line print it).
    ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version"
    ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
    run_with_progress "compiling cmd/operator" env GOFLAGS="$GOFLAGS -mod=mod" \
      go build -trimpath -ldflags "$ldflags" -o "$dir/bin/operator" ./cmd/operator
  )
  echo "$stamp" >"$dir/.stamp"
  log "spark-operator $version: built $dir/bin/operator"
fi
echo "KUBEFLOW_OPERATOR=$dir/bin/operator"
echo "KUBEFLOW_SRC=$dir/src"
