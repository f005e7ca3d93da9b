#!/usr/bin/env bash
# Installs every package Régua needs to build, test and benchmark, from Debian 12's repositories.
# Idempotent: when everything is present it only checks, in well under a second.
# docs/dependencies.md says what each library is for.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format time
  # libraries
  libsqlite3-dev libboost-dev libtomlplusplus-dev libsimdjson-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libhowardhinnant-date-dev tzdata
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest sqlite3
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "bootstrap: ${missing[*]} must be installed; run this script as root or install sudo" >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "bootstrap: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o Acquire::Retries=3
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Acquire::Retries=3 "${missing[@]}"
echo "bootstrap: done"
