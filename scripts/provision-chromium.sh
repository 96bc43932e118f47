#!/usr/bin/env bash
# The browser test drives Debian's Chromium (test tools cannot download their own browser here).
# Installs it when missing and this user may install packages; otherwise says what to do.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [[ "$SUDO" != none ]]; then
    echo "[provision] installing Debian's chromium for the browser test (apt-get)..." >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    exit 0
  fi
fi
echo "[provision] WARNING: no Chromium at $CHROMIUM: the browser test will fail." >&2
echo "[provision]   Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH." >&2
