#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, when missing (needs root, as on CI).
set -euo pipefail
bash "$(dirname "$0")/runtime-deps.sh"  # what the app itself needs (LibreOffice, CJK fonts)
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
# poppler renders the bulletins' PDF pages to PNG (the tests look at them)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
