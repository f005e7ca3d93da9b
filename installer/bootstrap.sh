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
  # fiscal XML (NF-e/NFC-e) documents
  libpugixml-dev
  # phone numbers (E.164, mobile or landline): libphonenumber; its headers need protobuf's, it links ICU
  libphonenumber-dev libprotobuf-dev libicu-dev
  # the local HTTP server (POS event API, providers' callbacks, later the web app); OpenSSL for TLS,
  # token checks and the callbacks' signatures
  libcpp-httplib-dev libssl-dev
  # store <-> hub sync (docs/sync.md): MQTT v5 client (paho C++ over paho C), zlib for batches,
  # the broker and its command-line clients (tests and bench/sync start a real one)
  libpaho-mqttpp-dev libpaho-mqtt-dev zlib1g-dev mosquitto mosquitto-clients
  # the hub's PostgreSQL backend (docs/hub.md): libpq, PostgreSQL's C client; the server itself, which
  # the tests start as a throwaway cluster (and which a one-machine hub with replicas can use)
  libpq-dev postgresql
  # the channels' HTTPS and SMTP clients (Twilio, WhatsApp Cloud, webhooks, e-mail)
  libcurl4-openssl-dev
  # fuzzing (tests/fuzz): clang and its libFuzzer runtime (libclang_rt.fuzzer for clang 14)
  clang libclang-rt-14-dev
  # tests and benchmarks; openssl makes the stand-in providers' certificates, python3-aiosmtpd is the
  # SMTP server of the e-mail tests
  libgtest-dev libgmock-dev googletest sqlite3 openssl python3-aiosmtpd
  # .deb packages (CPack reads library dependencies with dpkg-shlibdeps) and their test in a throwaway root
  dpkg-dev util-linux
  # browser tests of the web app (tests/browser): Debian's headless Chromium, driven by playwright-core
  chromium
)
# playwright-core (npm) runs on Node.js; a machine may already have a newer Node.js with its own npm
# (from another repository), whose packages Debian's npm would conflict with: install only when absent.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

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
