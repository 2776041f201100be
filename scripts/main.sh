#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, then run the best end-to-end demo the
# engine has (today: an MLP trained on two spirals on the GPU; SeeABLE train + eval once it lands).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx --no-install tsx scripts/demo-mlp.ts "$@"
