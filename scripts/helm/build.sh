#!/usr/bin/env bash
# Builds helm from the Go module proxy (helm.sh/helm/v3/cmd/helm), once per version, into
#   $CACHE/helm-$HELM_VERSION/bin/helm
# It is rebuilt only when its stamp (version + recipe) changes; Go's module and build caches are reused.
# Progress goes to stderr; the last line of stdout is HELM_BIN=<dir>.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
CACHE="${SPARKOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sparkop}"
# Bump when the way helm is built changes.
RECIPE=1

log() { printf '[helm] %s\n' "$*" >&2; }
die() { printf '[helm] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is required (go 1.24+). Install it from your distribution or https://go.dev/dl and re-run."

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0

# A cold build takes minutes on 2 cores: print a heartbeat so it is visibly alive.
run_with_progress() {
  local what="$1"; shift
  local start=$SECONDS
  "$@" >&2 &
  local pid=$!
  local next=15
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ $((SECONDS - start)) -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
      log "$what: still working ($((SECONDS - start))s)…"
      next=$((next + 15))
    fi
  done
  wait "$pid" || die "$what failed (see the output above)"
  log "$what: done in $((SECONDS - start))s"
}

dir="$CACHE/helm-$HELM_VERSION"
stamp="helm $HELM_VERSION recipe-$RECIPE"
mkdir -p "$CACHE"
# One build at a time (parallel test files may all ask for helm at once); the others wait and find it cached.
exec 9>"$CACHE/.helm-build.lock"
if ! flock -n 9; then
  log "another build is running; waiting for it"
  flock 9
fi

if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ] && [ -x "$dir/bin/helm" ]; then
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
