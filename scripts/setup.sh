#!/usr/bin/env bash
# Install everything the project needs on Debian 12 (as root), and nothing twice:
#   - Mesa's Vulkan driver (lavapipe) from bookworm-backports: Dawn rejects Debian 12's own Mesa 22.3;
#   - npm packages from the lockfile.
# Quick when everything is already there. SEEABLE_SETUP_BROWSER=1 or =0 forces the Chromium step on/off.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[setup] $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; exit 1; fi
}

pkg_version() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | awk '/install ok installed/ {print $4}'; }

apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { as_root apt-get update -q >&2; apt_updated=1; }; }

enable_backports() {
  local src=/etc/apt/sources.list.d/debian.sources
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then return; fi
  if [ -f "$src" ] && grep -q '^Suites: bookworm bookworm-updates$' "$src"; then
    as_root sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' "$src"
  elif [ -f /etc/apt/sources.list ] && grep -qE '^deb .* bookworm main' /etc/apt/sources.list; then
    # Copy the existing bookworm line with the suite renamed (no host name written by us).
    as_root sed -i -E '0,/^deb (.*) bookworm main(.*)$/s//&\ndeb \1 bookworm-backports main\2/' /etc/apt/sources.list
  else
    log "cannot find the bookworm apt source to extend with bookworm-backports"; exit 1
  fi
  apt_updated=0
}

# 1. Vulkan loader + lavapipe (Mesa ≥ 24).
mesa=$(pkg_version mesa-vulkan-drivers)
if [ -z "$(pkg_version libvulkan1)" ] || [ -z "$mesa" ] || dpkg --compare-versions "$mesa" lt 24; then
  log "installing libvulkan1 and mesa-vulkan-drivers from bookworm-backports"
  enable_backports
  apt_update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libvulkan1 >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -t bookworm-backports mesa-vulkan-drivers >&2
fi

# 2. Chromium for the browser tests (when they exist).
want_browser=${SEEABLE_SETUP_BROWSER:-$( [ -d test/web ] && echo 1 || echo 0 )}
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null; then
  log "installing chromium (browser tests)"
  apt_update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
fi

# 3. Debian's PyTorch: a float64/float32 reference for the parity tests only, never used by the product.
want_torch=${SEEABLE_SETUP_TORCH:-$( [ -d test/models ] && echo 1 || echo 0 )}
if [ "$want_torch" = 1 ] && ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  log "installing python3-torch and python3-torchvision (test-time reference)"
  apt_update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch python3-torchvision >&2
fi

# 4. npm packages, re-installed only when the lockfile changed.
stamp=node_modules/.seeable-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi
