#!/usr/bin/env bash
# The Spark images of the local cluster's real node, built without a container engine or a registry. The recipe,
# as a Dockerfile would say it:
#
#   FROM debian:bookworm (debootstrap, minbase) + openjdk-17-jre-headless tini procps python3 netbase bash
#   RUN  groupadd -g 185 spark && useradd -u 185 -g 185 -d /opt/spark spark            (layer 1, shared)
#   COPY <pyspark==V from PyPI>/{bin,sbin,jars} /opt/spark/                              (layer 2, per version)
#   COPY pyspark's and py4j's Python sources as /opt/spark/python/lib/{pyspark.zip,py4j-*-src.zip}
#   COPY SparkPi.scala, SparkopExamples.scala compiled with the Scala compiler among pyspark's jars
#        → /opt/spark/examples/jars/spark-examples_<scala>-V.jar (+ spark-examples.jar link)
#   COPY pi.py /opt/spark/examples/src/main/python/pi.py
#   COPY entrypoint.sh /opt/entrypoint.sh; decom.sh /opt/decom.sh; start-connect-server.sh /opt/spark/sbin/ (if absent)
#   ENV  JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 SPARK_HOME=/opt/spark PATH=…:/opt/spark/bin
#   WORKDIR /opt/spark/work-dir; USER 185; ENTRYPOINT ["/opt/entrypoint.sh"]
#   TAG  docker.io/apache/spark:V   (the layout, user and entrypoint modes of the official apache/spark images)
#
# Out: $CACHE/images/spark-V-<recipe hash>.tar for each version in SPARK_IMAGE_VERSIONS (or the arguments). An image
# is rebuilt only when a file of its recipe or a version changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../versions.env"
BUILD_LOG_PREFIX=spark-image
source "$here/../../lib/build-common.sh"
source "$here/../image-lib.sh"

IMAGES="$CACHE/images"
BASE_PACKAGES=openjdk-17-jre-headless,tini,procps,python3,netbase,bash
BASE_RECIPE=1
JAVA_HOME_IN_IMAGE=/usr/lib/jvm/java-17-openjdk-amd64
MIRROR="${SPARKOP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$IMAGES/layers"

# Layer 1: the Debian root file system with Java and Python, shared by every Spark version.
base_layer() {
  local key out
  # Bump BASE_RECIPE when the steps below change; the suite and the package list are part of the key already.
  key="$(recipe_hash <(echo "base-recipe-$BASE_RECIPE $IMAGE_DEBIAN_SUITE $BASE_PACKAGES"))"
  out="$IMAGES/layers/spark-base-$key.tar"
  if [ -f "$out" ]; then echo "$out"; return; fi
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
  local root
  root="$(mktemp -d)"
  log "base layer: debootstrap $IMAGE_DEBIAN_SUITE with $BASE_PACKAGES (first time only, about a minute)"
  run_with_progress "debootstrap" debootstrap --variant=minbase --include="$BASE_PACKAGES" \
    "$IMAGE_DEBIAN_SUITE" "$root" "$MIRROR"
  chroot "$root" groupadd --gid 185 spark
  chroot "$root" useradd --uid 185 --gid 185 --home-dir /opt/spark --no-create-home --shell /bin/bash spark
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
    "$root"/var/log/* "$root"/tmp/* "$root"/dev/*
  layer_tar "$root" "$out"
  rm -rf "$root"
  log "base layer: $(du -m "$out" | cut -f1) MiB"
  echo "$out"
}

# Layer 2 and the image for one Spark version.
spark_image() {
  local version="$1" base="$2" key out
  key="$(recipe_hash "$BASH_SOURCE" "$here"/*.sh "$here"/*.scala "$here"/*.py "$here/../image-lib.sh" \
    <(echo "$version $base"))"
  out="$IMAGES/spark-$version-$key.tar"
  if [ -f "$out" ]; then log "spark $version: cached"; return; fi
  local spark_home
  spark_home="$(bash "$here/../../pyspark/install.sh" "$version" | sed -nE "s/^PYSPARK_${version//./_}_HOME=//p")"
  spark_home="$(readlink -f "$spark_home")"
  [ -x "$spark_home/bin/spark-submit" ] || die "pyspark $version has no bin/spark-submit"
  log "spark $version: assembling /opt/spark from pyspark $version"
  local work opt
  work="$(mktemp -d)"
  opt="$work/root/opt"
  mkdir -p "$opt/spark/work-dir" "$opt/spark/examples/jars" "$opt/spark/examples/src/main/python" \
    "$opt/spark/python/lib" "$opt/spark/conf"
  cp -r "$spark_home/bin" "$spark_home/sbin" "$spark_home/jars" "$opt/spark/"
  local site py4j_version scala_version
  site="$(dirname "$spark_home")"
  py4j_version="$(sed -nE 's/^Version: //p' "$site"/py4j-*.dist-info/METADATA | head -n1)"
  [ -n "$py4j_version" ] || die "py4j's version not found in $site"
  python3 - "$site" "$opt/spark/python/lib" "$py4j_version" <<'PY'
import os, sys, zipfile
site, out, py4j = sys.argv[1:]
def pack(package, zip_path, skip=()):
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for dirpath, dirnames, filenames in os.walk(os.path.join(site, package)):
            rel = os.path.relpath(dirpath, site)
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and os.path.join(rel, d) not in skip)
            for f in sorted(filenames):
                if not f.endswith(".pyc"):
                    z.write(os.path.join(dirpath, f), os.path.join(rel, f))
pack("pyspark", os.path.join(out, "pyspark.zip"), skip={"pyspark/jars", "pyspark/bin", "pyspark/sbin"})
pack("py4j", os.path.join(out, f"py4j-{py4j}-src.zip"))
PY
  scala_version="$(ls "$spark_home/jars" | sed -nE 's/^scala-library-([0-9]+\.[0-9]+)\..*\.jar$/\1/p')"
  [ -n "$scala_version" ] || die "no scala-library jar in $spark_home/jars"
  log "spark $version: compiling the examples with Scala $scala_version's compiler from pyspark's jars"
  mkdir -p "$work/classes"
  run_with_progress "scalac" java -cp "$spark_home/jars/*" scala.tools.nsc.Main -usejavacp -nowarn \
    -d "$work/classes" "$here/SparkPi.scala" "$here/SparkopExamples.scala"
  local jar="spark-examples_$scala_version-$version.jar"
  (cd "$work/classes" && jar cf "$opt/spark/examples/jars/$jar" .)
  ln -s "$jar" "$opt/spark/examples/jars/spark-examples.jar"
  cp "$here/pi.py" "$opt/spark/examples/src/main/python/pi.py"
  install -m 0755 "$here/entrypoint.sh" "$opt/entrypoint.sh"
  install -m 0755 "$here/decom.sh" "$opt/decom.sh"
  # pyspark's sbin/ has no Spark Connect launcher; the images' one runs the server in the foreground.
  [ -e "$opt/spark/sbin/start-connect-server.sh" ] ||
    install -m 0755 "$here/start-connect-server.sh" "$opt/spark/sbin/start-connect-server.sh"
  chown -R 185:185 "$opt/spark"
  chmod -R a+rX "$opt/spark" && chmod g+w "$opt/spark/work-dir"
  layer_tar "$work/root" "$work/spark.tar"
  local config
  config="$(printf '{"User":"185","WorkingDir":"/opt/spark/work-dir","Entrypoint":["/opt/entrypoint.sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/spark/bin","JAVA_HOME=%s","SPARK_HOME=/opt/spark","SPARK_VERSION=%s","LANG=C.UTF-8"]}' "$JAVA_HOME_IN_IMAGE" "$version")"
  image_archive "$out" "docker.io/apache/spark:$version" "$config" "$base" "$work/spark.tar"
  rm -rf "$work"
  # Older builds of this version's image are replaced.
  find "$IMAGES" -maxdepth 1 -name "spark-$version-*.tar" ! -name "$(basename "$out")" -delete
  log "spark $version: image built ($(du -m "$out" | cut -f1) MiB, $out)"
}

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || read -r -a versions <<<"$SPARK_IMAGE_VERSIONS"
base="$(base_layer)"
for v in "${versions[@]}"; do spark_image "$v" "$base"; done
