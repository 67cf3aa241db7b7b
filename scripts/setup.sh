#!/usr/bin/env bash
# Installs the Debian 12 packages ringress needs to build, test and benchmark, skipping those
# already present. Runs apt-get (with sudo when not root) only if something is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  liburing-dev libwolfssl-dev libtomlplusplus-dev node-llhttp libre2-dev
  libgtest-dev libbenchmark-dev
  python3 curl openssl netcat-openbsd wrk nginx haproxy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

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
