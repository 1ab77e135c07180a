#!/usr/bin/env bash
# Install the Debian packages publisher needs: Pango for WeasyPrint, the HarfBuzz subsetter that makes
# CJK font subsetting fast, python3-venv, LibreOffice Writer (the tests check how it renders our
# DOCX), Redis (the broker the distributed-batch tests start on 127.0.0.1) and Chromium (the browser
# test of `publisher serve` drives it through Playwright; no browser is downloaded). Skips the install
# when everything is already present.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig python3-venv libreoffice-writer-nogui
          redis-server chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
