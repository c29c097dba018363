#!/usr/bin/env bash
# Installs the Spark Connect client, pyspark[connect] (pyspark with pandas, pyarrow, grpcio and protobuf), into the
# cached pyspark venv of a version that scripts/pyspark/install.sh makes ($CACHE/pyspark-<version>/venv; CACHE =
# $SPARKOP_CACHE, else ~/.cache/sparkop): a Python client for sparkop's SparkConnect servers.
# Usage: scripts/pyspark/install-connect-client.sh [version]   (default 4.0.4, the Spark of kubeflow's example)
# Installed once (about 150 MB); later calls only check the stamp. pip shows its progress on stderr. The last line of
# stdout is `PYSPARK_CONNECT_<major>_<minor>_<patch>_PYTHON=<the venv's python>`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_LOG_PREFIX=pyspark-connect
# shellcheck source=../lib/build-common.sh
source "$here/../lib/build-common.sh"
RECIPE=1

version="${1:-4.0.4}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "expected a pyspark version such as 4.0.4, got \"$version\""

# The venv with pyspark itself (install.sh's own result line is not this script's).
bash "$here/install.sh" "$version" >/dev/null
dir="$CACHE/pyspark-$version"
python="$dir/venv/bin/python"
stamp="pyspark[connect] $version recipe-$RECIPE"
# What a Spark Connect client imports: it checks pandas, pyarrow, grpcio and protobuf when loaded.
check='from pyspark.sql.connect.session import SparkSession'

take_build_lock "pyspark-connect-$version"
if [ -f "$dir/.connect-stamp" ] && [ "$(cat "$dir/.connect-stamp")" = "$stamp" ] && "$python" -c "$check" 2>/dev/null; then
  log "pyspark[connect] $version: cached in $dir/venv"
else
  log "pyspark[connect] $version: installing from PyPI into $dir/venv (pandas, pyarrow, grpcio: about 150 MB, first time only)"
  start=$SECONDS
  rm -f "$dir/.connect-stamp"
  # pip's progress bar goes to stderr; stdout carries only this script's result line.
  "$dir/venv/bin/pip" install --disable-pip-version-check --no-cache-dir --progress-bar on \
    "pyspark[connect]==$version" >&2 || die "pip install pyspark[connect]==$version failed (see above)"
  "$python" -c "$check" >&2 || die "pyspark[connect] $version is installed but its client does not load (see above)"
  echo "$stamp" >"$dir/.connect-stamp"
  log "pyspark[connect] $version: done in $((SECONDS - start))s"
fi
echo "PYSPARK_CONNECT_${version//./_}_PYTHON=$python"
