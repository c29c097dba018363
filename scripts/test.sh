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

if [ "$#" -gt 0 ]; then files=("$@"); else files=("test/**/*.test.ts"); fi
# Test files run as separate processes, two at a time (the machine has 2 cores and the control plane shares them).
exec node --test \
  --test-global-setup=test/support/global-setup.ts \
  --test-concurrency="${SPARKOP_TEST_CONCURRENCY:-2}" \
  --test-timeout=600000 \
  --test-reporter=spec \
  "${files[@]}"
