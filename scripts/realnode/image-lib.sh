# Writing container images without a container engine: layers are plain tar files made with GNU tar (sorted, fixed
# times and numeric owners, so the same content gives the same digest), and an image is a docker-archive (the format
# `docker save` writes and `ctr images import` reads): manifest.json, the image config, the layer tars.
# shellcheck shell=bash

# layer_tar SRC_DIR OUT.tar [tar options…]: the tree under SRC_DIR as one layer.
layer_tar() {
  local src="$1" out="$2"; shift 2
  tar --create --file="$out.tmp" --directory="$src" --sort=name --mtime=@0 --numeric-owner \
    --xattrs --pax-option=delete=atime,delete=ctime "$@" . || die "tar of $src failed"
  mv "$out.tmp" "$out"
}

# image_archive OUT.tar TAGS CONFIG_JSON LAYER.tar…: CONFIG_JSON is the image's "config" object (Env, Entrypoint, …);
# TAGS a space-separated list of full references (docker.io/apache/spark:4.0.4).
image_archive() {
  local out="$1" tags="$2" config="$3"; shift 3
  local stage diff_ids="" layers="" repo_tags="" sum
  stage="$(mktemp -d)"
  for layer in "$@"; do
    sum="$(sha256sum "$layer" | cut -d' ' -f1)"
    mkdir -p "$stage/$sum"
    ln "$layer" "$stage/$sum/layer.tar" 2>/dev/null || cp "$layer" "$stage/$sum/layer.tar"
    diff_ids+="${diff_ids:+,}\"sha256:$sum\""
    layers+="${layers:+,}\"$sum/layer.tar\""
  done
  for t in $tags; do repo_tags+="${repo_tags:+,}\"$t\""; done
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$config" "$diff_ids" >"$stage/config.json"
  sum="$(sha256sum "$stage/config.json" | cut -d' ' -f1)"
  mv "$stage/config.json" "$stage/$sum.json"
  printf '[{"Config":"%s.json","RepoTags":[%s],"Layers":[%s]}]' "$sum" "$repo_tags" "$layers" >"$stage/manifest.json"
  (cd "$stage" && ls -A) >"$stage.list"
  tar --create --file="$out.tmp" --directory="$stage" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --files-from="$stage.list" \
    || die "writing $out failed"
  mv "$out.tmp" "$out"
  rm -rf "$stage" "$stage.list"
}

# recipe_hash FILE…: a short hash of the files that make an image, its cache key.
recipe_hash() { cat "$@" | sha256sum | cut -c1-16; }
