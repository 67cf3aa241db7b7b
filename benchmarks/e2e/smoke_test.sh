#!/bin/sh
# Smoke test of the end-to-end benchmark harness, for the normal test suite: every target
# (direct, ringress, nginx, HAProxy) runs a few seconds of three HTTP workloads, the idle
# connection test (50 connections) and the TCP harness, then the HTTPS harness (one suite, three
# workloads), on 127.0.0.1 only. Speeds are not
# checked, only that every target produced every figure.
#
#   benchmarks/e2e/smoke_test.sh [BUILD_DIR]      (default: build/release)
#
# Exit status: 0 all figures present, 1 a figure is missing (or the harness failed),
# 77 a tool is missing (wrk, nginx, haproxy or a built binary): ctest SKIP_RETURN_CODE.
# Every process the harness starts is stopped by PID when it ends; on a timeout it gets
# SIGTERM (it then stops its children), SIGKILL 10 s later, and its children die with it
# (PR_SET_PDEATHSIG).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
out=$(mktemp -d "${TMPDIR:-/tmp}/ringress-http-smoke.XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM
python=/usr/bin/python3
[ -x "$python" ] || python=python3
timeout -k 10 180 "$python" "$here/http_bench.py" --smoke --build "$build" \
  --out "$out/smoke.json"
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "smoke_test: the harness did not finish within 180 s" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"
timeout -k 10 120 "$python" "$here/https_bench.py" --smoke --build "$build" \
  --out "$out/https-smoke.json"
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "smoke_test: the HTTPS harness did not finish within 120 s" >&2
  exit 1
fi
exit "$status"
