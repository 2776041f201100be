#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, then train a small SeeABLE detector on
# the bundled real faces (one-class) and evaluate it on the real-vs-fake test set.
# Arguments go to scripts/main-job.ts (e.g. --fresh, --preset, --set steps=300, --eval-limit 700).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx --no-install tsx scripts/main-job.ts "$@"
