#!/usr/bin/env bash
# Builds the parts of the local cluster's real node once, into a per-version cache ($SPARKOP_CACHE, else
# ~/.cache/sparkop), with progress on stderr:
#   host packages      containerd, runc, CNI plugins, iptables, debootstrap (Debian's packages, apt-get)
#   kubelet            $CACHE/kubelet-$KUBERNETES_VERSION/bin/kubelet (same Kubernetes source as the control plane)
#   coredns            $CACHE/coredns-$COREDNS_VERSION/bin/coredns (a minimal plugin set)
#   registry           $CACHE/registry-$REGISTRY_VERSION/bin/registry (the node's image registry)
#   images             $CACHE/images/*.tar: the pause image and the Spark images (spark-image/build.sh)
# A part is rebuilt only when its stamp (version + recipe) changes. The last lines of stdout are KEY=VALUE lines
# naming what was built. Usage: build.sh [all|packages|kubelet|coredns|registry|images]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../controlplane/versions.env
source "$here/../controlplane/versions.env"
# shellcheck source=versions.env
source "$here/versions.env"
BUILD_LOG_PREFIX=realnode
# shellcheck source=../lib/build-common.sh
source "$here/../lib/build-common.sh"
RECIPE=1

# What the node needs from the host, checked before anything is built: a failed check names what is missing.
check_host() {
  [ "$(uname -s)" = Linux ] || die "a real node needs Linux (found $(uname -s))"
  [ "$(id -u)" = 0 ] || die "a real node needs root: the kubelet and containerd manage mounts, cgroups, network namespaces and iptables (run as root, or start the cluster without a real node)"
  [ -d /sys/fs/cgroup ] || die "a real node needs cgroups mounted at /sys/fs/cgroup"
  [ -e /proc/sys/net/ipv4/ip_forward ] || die "a real node needs IPv4 networking (/proc/sys/net/ipv4 is missing)"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || die "a real node needs the overlay file system (containerd's snapshotter)"
}

PACKAGES=(containerd runc containernetworking-plugins iptables debootstrap libc6-dev gcc)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then log "host packages: installed"; return; fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get: install containerd, runc, the CNI plugins (/usr/lib/cni), iptables and debootstrap"
  log "host packages: installing ${missing[*]} with apt-get"
  run_with_progress "apt-get update" apt-get update -q
  DEBIAN_FRONTEND=noninteractive run_with_progress "apt-get install" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# kubelet is built inside a module that requires k8s.io/kubernetes exactly as the control plane's does (its go.mod
# carries the staging-module replacements), so both come from the same source and share Go's caches.
build_kubelet() {
  local dir="$CACHE/kubelet-$KUBERNETES_VERSION" stamp="kubelet $KUBERNETES_VERSION recipe-$RECIPE"
  if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/kubelet" ]; then log "kubelet $KUBERNETES_VERSION: cached"; return; fi
  bash "$here/../controlplane/build.sh" kubernetes >/dev/null
  local cp_src="$CACHE/kubernetes-$KUBERNETES_VERSION/src"
  [ -f "$cp_src/go.mod" ] || die "the control plane's module ($cp_src/go.mod) is missing; run: npm run controlplane:build"
  log "kubelet $KUBERNETES_VERSION: building k8s.io/kubernetes/cmd/kubelet (first time only; 5-10 minutes on 2 cores)"
  rm -rf "$dir/src" && mkdir -p "$dir/src" "$dir/bin"
  cp "$cp_src/go.mod" "$cp_src/go.sum" "$dir/src/"
  cat >"$dir/src/main.go" <<'GO'
// Package main only pins k8s.io/kubernetes; the kubelet is built from its cmd/ package.
package main

import _ "k8s.io/kubernetes/cmd/kubelet/app"

func main() {}
GO
  local minor ldflags=""
  minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X '$pkg.gitVersion=$KUBERNETES_VERSION' -X '$pkg.gitMajor=1' -X '$pkg.gitMinor=$minor'"
    ldflags+=" -X '$pkg.gitTreeState=clean' -X '$pkg.buildDate=1970-01-01T00:00:00Z'"
  done
  (
    cd "$dir/src"
    run_with_progress "kubelet: resolving modules" go mod tidy
    run_with_progress "kubelet: compiling" go build -trimpath -ldflags "-s -w $ldflags" -o "$dir/bin/kubelet" k8s.io/kubernetes/cmd/kubelet
  )
  echo "$stamp" >"$dir/.stamp"
}

# CoreDNS with only the plugins a cluster DNS needs, registered in CoreDNS's own plugin order.
build_coredns() {
  local dir="$CACHE/coredns-$COREDNS_VERSION" stamp="coredns $COREDNS_VERSION recipe-$RECIPE"
  if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/coredns" ]; then log "coredns $COREDNS_VERSION: cached"; return; fi
  log "coredns $COREDNS_VERSION: building github.com/coredns/coredns with a minimal plugin set (first time only)"
  rm -rf "$dir/src" && mkdir -p "$dir/src" "$dir/bin"
  cat >"$dir/src/main.go" <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "log", "loadbalance", "cache", "kubernetes"}
}

func main() { coremain.Run() }
GO
  (
    cd "$dir/src"
    go mod init sparkop.local/coredns >/dev/null 2>&1
    go mod edit -require="github.com/coredns/coredns@$COREDNS_VERSION"
    run_with_progress "coredns: resolving modules" go mod tidy
    run_with_progress "coredns: compiling" go build -trimpath -ldflags "-s -w" -o "$dir/bin/coredns" .
  )
  echo "$stamp" >"$dir/.stamp"
}

build_registry() {
  local dir="$CACHE/registry-$REGISTRY_VERSION" stamp="registry $REGISTRY_VERSION recipe-$RECIPE"
  if stamp_ok "$dir" "$stamp" && [ -x "$dir/bin/registry" ]; then log "registry $REGISTRY_VERSION: cached"; return; fi
  log "registry $REGISTRY_VERSION: building github.com/distribution/distribution/v3/cmd/registry (first time only)"
  rm -rf "$dir" && mkdir -p "$dir/bin"
  (
    export GOBIN="$dir/bin"
    run_with_progress "registry: go install" \
      go install -trimpath -ldflags "-s -w" "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
  )
  echo "$stamp" >"$dir/.stamp"
}

build_images() {
  bash "$here/pause-image.sh"
  bash "$here/spark-image/build.sh"
}

only="${1:-all}"
check_host
take_build_lock realnode
case "$only" in
  all) install_packages; build_kubelet; build_coredns; build_registry; build_images ;;
  packages) install_packages ;;
  kubelet) build_kubelet ;;
  coredns) build_coredns ;;
  registry) build_registry ;;
  images) build_images ;;
  *) die "unknown part '$only' (expected all, packages, kubelet, coredns, registry or images)" ;;
esac
echo "KUBELET=$CACHE/kubelet-$KUBERNETES_VERSION/bin/kubelet"
echo "COREDNS=$CACHE/coredns-$COREDNS_VERSION/bin/coredns"
echo "REGISTRY=$CACHE/registry-$REGISTRY_VERSION/bin/registry"
echo "IMAGES_DIR=$CACHE/images"
