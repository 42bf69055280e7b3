#!/usr/bin/env bash
# Installs the Debian packages the app needs, when they are missing.
#   run:  CJK fonts for the official letters (fonts-hanazono: ideographs beyond Noto CJK, CJK
#         Extension B-F, for rare names), HarfBuzz subsetting (PDFs in ~0.5 s instead of
#         ~12 s), gettext for the English translation.
#   test: also Chromium and its driver for the browser tests, poppler for looking at PDFs.
# Usage: scripts/install-system-packages.sh run|test
set -euo pipefail
RUN_PACKAGES="fonts-noto-cjk fonts-noto-cjk-extra texlive-lang-chinese fonts-arphic-gkai00mp fonts-lxgw-wenkai fonts-hanazono libharfbuzz-subset0 gettext"
TEST_PACKAGES="$RUN_PACKAGES chromium chromium-driver poppler-utils"
case "${1:-run}" in
  run) wanted=$RUN_PACKAGES ;;
  test) wanted=$TEST_PACKAGES ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
missing=()
for pkg in $wanted; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "Not root and no sudo: please install ${missing[*]} with apt-get" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent on a fresh machine.
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
