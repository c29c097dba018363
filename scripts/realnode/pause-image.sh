#!/usr/bin/env bash
# The pod sandbox ("pause") image, from the pause.c of the control plane's Kubernetes source, statically linked.
# Out: $CACHE/images/pause-$PAUSE_TAG-<recipe hash>.tar, tagged registry.k8s.io/pause:$PAUSE_TAG.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../controlplane/versions.env"
source "$here/versions.env"
BUILD_LOG_PREFIX=realnode
source "$here/../lib/build-common.sh"
source "$here/image-lib.sh"

key="$(recipe_hash "$BASH_SOURCE" "$here/image-lib.sh" <(echo "$KUBERNETES_VERSION $PAUSE_TAG"))"
out="$CACHE/images/pause-$PAUSE_TAG-$key.tar"
if [ -f "$out" ]; then log "pause image: cached"; exit 0; fi
log "pause image: compiling pause.c from k8s.io/kubernetes $KUBERNETES_VERSION"
mkdir -p "$CACHE/images"
src="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -nE 's/^\s*"Dir": "(.*)",?$/\1/p')"
[ -f "$src/build/pause/linux/pause.c" ] || die "pause.c not found in $src"
work="$(mktemp -d)"
mkdir -p "$work/root"
gcc -Os -static -o "$work/root/pause" -DVERSION="$PAUSE_TAG" "$src/build/pause/linux/pause.c" || die "compiling pause.c failed (needs gcc and libc6-dev)"
strip "$work/root/pause"
layer_tar "$work/root" "$work/layer.tar" --owner=0 --group=0
image_archive "$out" "registry.k8s.io/pause:$PAUSE_TAG" '{"Entrypoint":["/pause"],"User":"65535:65535"}' "$work/layer.tar"
rm -rf "$work"
rm -f $(ls "$CACHE"/images/pause-*.tar | grep -v "$key") 2>/dev/null || true
log "pause image: built ($out)"
