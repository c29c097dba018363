#!/usr/bin/env bash
# The README's test command: checks, builds or installs (cached) the tools the tests use, runs every test.
# Unit tests need nothing; integration tests share one local control plane per run (test/support/global-setup.ts).
# Pass file paths or globs to run only those tests: npm test -- test/unit/foo.test.ts
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"

bash scripts/check.sh
# Every tool the tests use is built or installed here, before any test runs: cached after the first time, with
# progress on stderr, and never inside a test's timeout.
bash scripts/controlplane/build.sh all >/dev/null
bash scripts/helm/build.sh >/dev/null
bash scripts/pyspark/install.sh >/dev/null
# The Spark Connect client (pyspark[connect] 4.0.4) of test/realspark/spark-connect.test.ts.
bash scripts/pyspark/install-connect-client.sh 4.0.4 >/dev/null
# The real node (kubelet, containerd, CoreDNS) and the Spark images of the real Spark suite. A host that cannot run
# a real node (not root, no cgroups) fails here, naming what is missing.
bash scripts/realnode/build.sh all >/dev/null

run_tests() {
  local concurrency="$1"; shift
  node --test \
    --test-global-setup=test/support/global-setup.ts \
    --test-concurrency="$concurrency" \
    --test-timeout=600000 \
    --test-reporter=spec \
    "$@"
}

if [ "$#" -gt 0 ]; then
  # Files of the real Spark suite start a control plane with the real node each, and share none.
  case " $* " in *" test/realspark/"*) export SPARKOP_TEST_REAL_NODE=1 ;; esac
  run_tests "${SPARKOP_TEST_CONCURRENCY:-2}" "$@"
  exit $?
fi
# Test files run as separate processes, two at a time (the machine has 2 cores and the control plane shares them).
# The reliability suite comes last, one file at a time: each file drives a private control plane through bursts,
# restarts and faults, and the load it makes must not starve the timing of the other tests.
status=0
run_tests "${SPARKOP_TEST_CONCURRENCY:-2}" 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' \
  'test/conformance/**/*.test.ts' || status=$?
echo "[test] reliability suite (one file at a time)"
run_tests 1 'test/reliability/**/*.test.ts' || status=$?
# Real Spark on a real node: one file at a time, each on a control plane of its own with the real node (one real node
# per machine).
echo "[test] real Spark suite (a real node; one file at a time)"
SPARKOP_TEST_REAL_NODE=1 run_tests 1 'test/realspark/**/*.test.ts' || status=$?
exit "$status"
