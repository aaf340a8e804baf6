#!/usr/bin/env bash
# Installs the Debian packages the app itself uses, when missing: LibreOffice renders bulletins
# to PDF, and the CJK fonts give them (and every page) their Chinese glyphs. Needs root; without
# it, says what to install and goes on (PDF bulletins then refuse with that message).
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Luoshi needs the Debian packages ${need[*]} for PDF bulletins: apt-get install ${need[*]}" >&2
    exit 0
  fi
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
