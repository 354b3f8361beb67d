#!/usr/bin/env bash
# Installs every Debian 12 package that calllog-worker needs to build, test and run its demo.
# Idempotent: safe to run again; it only installs what is missing. Nothing is fetched from
# anywhere but Debian's own package archive.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake make ccache pkg-config git
  # libraries (Boost 1.81, not the 1.74 default)
  libboost1.81-dev libboost-test1.81-dev libboost-json1.81-dev
  libhiredis-dev rapidjson-dev libssl-dev libsqlite3-dev
  libspdlog-dev libfmt-dev libcli11-dev prometheus-cpp-dev
  # runtime and test tools
  redis-server openssl sqlite3 tzdata locales ca-certificates python3 python3-yaml
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-debian: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-debian: all ${#PACKAGES[@]} packages already installed"
fi

# A non-C UTF-8 locale for the composer's locale-independence tests.
if ! locale -a 2>/dev/null | grep -qi '^tr_TR.utf8$'; then
  if [ -f /etc/locale.gen ]; then
    $SUDO sed -i 's/^# *tr_TR.UTF-8 UTF-8/tr_TR.UTF-8 UTF-8/' /etc/locale.gen
    grep -q '^tr_TR.UTF-8 UTF-8' /etc/locale.gen || echo 'tr_TR.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
    $SUDO locale-gen >/dev/null 2>&1 || echo "setup-debian: locale-gen failed (tests fall back to another locale)"
  fi
fi
