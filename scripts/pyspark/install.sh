#!/usr/bin/env bash
# Installs pyspark (Spark's jars + bin/spark-submit) from PyPI into one cached venv per version:
#   $CACHE/pyspark-<version>/venv   (CACHE = $SPARKOP_CACHE, else ~/.cache/sparkop)
# Usage: scripts/pyspark/install.sh [version…]   (default: every version in versions.env)
# A version is downloaded once (~400 MB each); later calls only check the stamp. pip shows its progress bar on
# stderr. The last lines of stdout are `PYSPARK_<major>_<minor>_<patch>_HOME=<SPARK_HOME>` for each version.
# Needs python3 (with venv) and Java 17+ to run spark-submit afterwards.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
BUILD_LOG_PREFIX=pyspark
# shellcheck source=../lib/build-common.sh
source "$here/../lib/build-common.sh"
RECIPE=1

command -v python3 >/dev/null 2>&1 || die "python3 is required (3.9+ with the venv module) to install pyspark"
command -v java >/dev/null 2>&1 || log "warning: java not found on PATH; spark-submit needs Java 17 or newer"

install_one() {
  local version="$1" dir="$CACHE/pyspark-$1" stamp="pyspark $1 recipe-$RECIPE"
  local home="$dir/venv/lib/python3/site-packages/pyspark"
  if stamp_ok "$dir" "$stamp" && [ -x "$dir/spark-home/bin/spark-submit" ]; then
    log "pyspark $version: cached in $dir"
  else
    log "pyspark $version: installing from PyPI into $dir (about 400 MB, first time only)"
    local start=$SECONDS
    rm -rf "$dir" && mkdir -p "$dir"
    python3 -m venv "$dir/venv" || die "python3 -m venv failed (install python3-venv)"
    # pip's progress bar goes to stderr; stdout carries only this script's result lines.
    "$dir/venv/bin/pip" install --disable-pip-version-check --no-cache-dir --progress-bar on \
      "pyspark==$version" >&2 || die "pip install pyspark==$version failed (see above)"
    home="$("$dir/venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
    [ -x "$home/bin/spark-submit" ] || chmod +x "$home"/bin/* 2>/dev/null || true
    [ -x "$home/bin/spark-submit" ] || die "pyspark $version has no bin/spark-submit under $home"
    ln -sfn "$home" "$dir/spark-home"
    echo "$stamp" >"$dir/.stamp"
    log "pyspark $version: done in $((SECONDS - start))s"
  fi
  echo "PYSPARK_${version//./_}_HOME=$dir/spark-home"
}

take_build_lock pyspark-install
versions=("$@")
[ "${#versions[@]}" -gt 0 ] || read -r -a versions <<<"$PYSPARK_VERSIONS"
for v in "${versions[@]}"; do install_one "$v"; done
