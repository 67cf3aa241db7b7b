#!/usr/bin/env bash
# Installs the Debian 12 packages ringress needs to build, test and benchmark, skipping those
# already present (apt-get, with sudo when not root, runs only if something is missing). Then
# builds wolfSSL with AES-NI from Debian's source package into a cache outside the tree, once
# (scripts/build_wolfssl.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config
  liburing-dev libwolfssl-dev libtomlplusplus-dev node-llhttp libre2-dev libc-ares-dev
  libgtest-dev libbenchmark-dev
  python3 curl openssl netcat-openbsd wrk nginx haproxy
  dnsmasq-base  # the DNS server of the dns discovery tests (the binary only, no service)
  dpkg-dev autoconf automake libtool  # wolfSSL from Debian's source (scripts/build_wolfssl.sh)
)

declare -A installed
while read -r name status; do
  [ "$status" != installed ] || installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  [ -n "${installed[$p]:-}" ] || missing+=("$p")
done
install_missing() {
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts nginx and haproxy as services on install; the benchmarks start their own.
  for svc in nginx haproxy; do
    if printf '%s\n' "${missing[@]}" | grep -qx "$svc"; then
      $sudo service "$svc" stop >/dev/null 2>&1 || true
    fi
  done
}
[ ${#missing[@]} -eq 0 ] || install_missing

# Without it ringress builds against Debian's wolfSSL (no AES-NI): CMake says so.
scripts/build_wolfssl.sh ||
  echo "setup: WARNING: wolfSSL with AES-NI was not built; ringress will use Debian's slower build" >&2
