#!/usr/bin/env bash
# Builds the local control plane from the Go module proxy, once, into a per-version cache:
#   etcd                                   ($CACHE/etcd-$ETCD_VERSION/bin)
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  ($CACHE/kubernetes-$KUBERNETES_VERSION/bin)
#   kwok (node simulator)                  ($CACHE/kwok-$KWOK_VERSION/bin)
# A component is rebuilt only when its stamp (version + recipe) changes. Go's own module and build
# caches are reused, so a second build of a new version only compiles what changed.
# kwok is built from its module's source with a patch (see patch_kwok_deletes).
# Prints the three bin directories as KEY=VALUE lines on the last lines of stdout (progress goes to stderr).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
BUILD_LOG_PREFIX=controlplane
# shellcheck source=../lib/build-common.sh
source "$here/../lib/build-common.sh"
# Bump when the way a component is built changes (flags, wrapper modules); cosmetic edits to this script then do not
# force a rebuild.
RECIPE=2

require_go
take_build_lock build

build_etcd() {
  local dir="$CACHE/etcd-$ETCD_VERSION" stamp="etcd $ETCD_VERSION recipe-$RECIPE"
  if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/etcd" ]; then log "etcd $ETCD_VERSION: cached"; return; fi
  log "etcd $ETCD_VERSION: building from go.etcd.io/etcd/server/v3 (first time only)"
  rm -rf "$dir/src" && mkdir -p "$dir/src" "$dir/bin"
  # etcd's server module has replace directives of its own, so `go install` refuses it; a wrapper module that
  # requires it and calls its main package is the supported way to build it from the proxy.
  cat >"$dir/src/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (
    cd "$dir/src"
    go mod init sparkop.local/etcd >/dev/null 2>&1
    go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/api/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/client/pkg/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/client/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/pkg/v3@$ETCD_VERSION"
    run_with_progress "etcd: resolving modules" go mod tidy
    run_with_progress "etcd: compiling" go build -trimpath -o "$dir/bin/etcd" .
  )
  echo "$stamp" >"$dir/.stamp"
}

build_kubernetes() {
  local dir="$CACHE/kubernetes-$KUBERNETES_VERSION" stamp="kubernetes $KUBERNETES_VERSION recipe-$RECIPE"
  if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/kube-apiserver" ] && [ -x "$dir/bin/kube-controller-manager" ] && [ -x "$dir/bin/kube-scheduler" ] && [ -x "$dir/bin/kubectl" ]; then
    log "kubernetes $KUBERNETES_VERSION: cached"; return
  fi
  log "kubernetes $KUBERNETES_VERSION: building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (first time only; several minutes on 2 cores)"
  rm -rf "$dir/src" && mkdir -p "$dir/src" "$dir/bin"
  local staging_version="v0.${KUBERNETES_VERSION#v1.}"
  local major=1 minor
  minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  (
    cd "$dir/src"
    cat >main.go <<'GO'
// Package main only pins k8s.io/kubernetes; the binaries are built from its cmd/ packages.
package main

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
	_ "k8s.io/kubectl/pkg/cmd"
)

func main() {}
GO
    go mod init sparkop.local/kubernetes >/dev/null 2>&1
    go mod edit -require="k8s.io/kubernetes@$KUBERNETES_VERSION"
    run_with_progress "kubernetes: fetching k8s.io/kubernetes $KUBERNETES_VERSION" go mod download k8s.io/kubernetes@"$KUBERNETES_VERSION"
    # k8s.io/kubernetes points its ~30 staging modules at ./staging/src/…, which a dependent module cannot see;
    # each is published as k8s.io/<name> v0.<minor>.<patch>, so replace them with those releases.
    local modfile
    modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod"
    local staged
    staged="$(sed -nE 's#^[[:space:]]*(k8s\.io/[a-z0-9-]+) => \./staging/src/.*#\1#p' "$modfile")"
    [ -n "$staged" ] || die "found no staging replace directives in $modfile"
    local args=()
    for m in $staged; do args+=("-replace=$m=$m@$staging_version"); done
    go mod edit "${args[@]}"
    log "kubernetes: replaced $(echo "$staged" | wc -w) staging modules with $staging_version"
    run_with_progress "kubernetes: resolving modules" go mod tidy
    local ldflags=""
    for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
      ldflags+=" -X '$pkg.gitVersion=$KUBERNETES_VERSION' -X '$pkg.gitMajor=$major' -X '$pkg.gitMinor=$minor'"
      ldflags+=" -X '$pkg.gitTreeState=clean' -X '$pkg.buildDate=1970-01-01T00:00:00Z'"
    done
    for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
      run_with_progress "kubernetes: compiling $cmd" go build -trimpath -ldflags "-s -w $ldflags" -o "$dir/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
    done
  )
  echo "$stamp" >"$dir/.stamp"
}

# kwok deletes a pod by name alone (grace period 0, no precondition): a delete it queued, or retried, for one pod
# can remove a newer pod of the same name, as when a SparkApplication's rerun creates <app>-driver again right after
# the old one went. A kubelet deletes with the pod's UID as precondition; so does the kwok built here (a patch of
# two calls, applied to the module's source; the build stops if the source no longer has them). A stale delete then
# gets 409 Conflict, which kwok does not retry.
KWOK_PATCH=uid-precondition-1

patch_kwok_deletes() {
  local controllers="$1/pkg/kwok/controllers"
  cat >"$controllers/sparkop_uid_precondition.go" <<'GO'
package controllers

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// withUID makes a delete apply only to the object that was seen, not to a newer one of the same name.
func withUID(opts metav1.DeleteOptions, uid types.UID) metav1.DeleteOptions {
	opts.Preconditions = metav1.NewUIDPreconditions(string(uid))
	return opts
}
GO
  replace_once "$controllers/stage_controller.go" \
    'cli.Delete(ctx, resource.GetName(), deleteOpt)' \
    'cli.Delete(ctx, resource.GetName(), withUID(deleteOpt, resource.GetUID()))'
  replace_once "$controllers/pod_controller.go" \
    'Pods(pod.Namespace).Delete(ctx, pod.Name, deleteOpt)' \
    'Pods(pod.Namespace).Delete(ctx, pod.Name, withUID(deleteOpt, pod.UID))'
  log "kwok: patched its pod deletes to carry the pod's UID as precondition ($KWOK_PATCH)"
}

# Replaces the one occurrence of a fixed string in a file; dies unless there is exactly one.
replace_once() {
  local file="$1" from="$2" to="$3" count
  count="$(grep -cF -- "$from" "$file" || true)"
  [ "$count" = 1 ] || die "patching $file: expected one '$from', found $count"
  FROM="$from" TO="$to" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$file"
}

build_kwok() {
  local dir="$CACHE/kwok-$KWOK_VERSION" stamp="kwok $KWOK_VERSION recipe-$RECIPE $KWOK_PATCH"
  if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/kwok" ]; then log "kwok $KWOK_VERSION: cached"; return; fi
  log "kwok $KWOK_VERSION: building sigs.k8s.io/kwok/cmd/kwok, patched (first time only)"
  rm -rf "$dir/src" "$dir/bin" && mkdir -p "$dir/bin"
  run_with_progress "kwok: fetching sigs.k8s.io/kwok $KWOK_VERSION" go mod download "sigs.k8s.io/kwok@$KWOK_VERSION"
  cp -R "$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION" "$dir/src"
  chmod -R u+w "$dir/src"
  patch_kwok_deletes "$dir/src"
  (
    cd "$dir/src"
    run_with_progress "kwok: compiling" go build -trimpath -o "$dir/bin/kwok" ./cmd/kwok
  )
  echo "$stamp" >"$dir/.stamp"
}

only="${1:-all}"
case "$only" in
  all) build_etcd; build_kubernetes; build_kwok ;;
  etcd) build_etcd ;;
  kubernetes) build_kubernetes ;;
  kwok) build_kwok ;;
  *) die "unknown component '$only' (expected all, etcd, kubernetes or kwok)" ;;
esac
echo "ETCD_BIN=$CACHE/etcd-$ETCD_VERSION/bin"
echo "KUBERNETES_BIN=$CACHE/kubernetes-$KUBERNETES_VERSION/bin"
echo "KWOK_BIN=$CACHE/kwok-$KWOK_VERSION/bin"
