#!/usr/bin/env bash
# The test command: installs what is missing, type-checks, then runs every test file
# (node's test runner, one file at a time: lavapipe already uses both cores).
# Extra arguments select test files: bash scripts/test.sh test/ops/matmul.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[test] typecheck" >&2
npx --no-install tsc --noEmit -p .
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
echo "[test] ${#files[@]} test files" >&2
exec node --import tsx --test --test-concurrency=1 --test-timeout=900000 "${files[@]}"
