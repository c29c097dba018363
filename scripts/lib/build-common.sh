# Shared by the scripts that build or install tools into the cache (control plane, helm, pyspark): logging, a
# heartbeat for long steps, a lock against parallel builds, and stamps that say what a cache dir holds.
# shellcheck shell=bash
# Before sourcing, set BUILD_LOG_PREFIX (e.g. "controlplane").

CACHE="${SPARKOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sparkop}"

log() { printf '[%s] %s\n' "$BUILD_LOG_PREFIX" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$BUILD_LOG_PREFIX" "$*" >&2; exit 1; }

require_go() {
  command -v go >/dev/null 2>&1 || die "Go is required (go 1.26+). Install it from your distribution or https://go.dev/dl and re-run."
  local minor
  minor="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
  [ "${minor:-0}" -ge 26 ] || die "Go 1.26 or newer is required; found $(go env GOVERSION)."
  export GOFLAGS="${GOFLAGS:--buildvcs=false}"
  export CGO_ENABLED=0
}

# Runs a long command with a heartbeat every 15 s, so a cold build (minutes on 2 cores) is visibly alive.
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

# One build at a time per lock name (parallel test runs may all ask at once); the others wait, then find it cached.
take_build_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.$1.lock"
  if ! flock -n 9; then
    log "another build is running; waiting for it"
    flock 9
  fi
}

# stamp_ok DIR STAMP: the cache dir holds what STAMP describes (version + recipe).
stamp_ok() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }
