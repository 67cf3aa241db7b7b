#!/usr/bin/env bash
# Command 1 of the README: install what is missing, build, and run ringress on the bundled
# example. Two demo backends (tiny Python HTTP servers) are started on 127.0.0.1:9001 and :9002
# so that the TCP proxy on 127.0.0.1:8000 has somewhere to send connections. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release

demo=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$demo"
}
trap cleanup EXIT INT TERM
for n in 1 2; do
  mkdir -p "$demo/$n"
  echo "hello from backend $n" > "$demo/$n/index.html"
  python3 -m http.server --bind 127.0.0.1 --directory "$demo/$n" "900$n" >/dev/null 2>&1 &
  pids+=($!)
done

cat <<'MSG'

ringress is starting on conf/examples/tcp.toml: a TCP proxy on 127.0.0.1:8000 in front of two
demo backends. Try, from another terminal:

  curl http://127.0.0.1:8000/          # answers alternate: backend 1, backend 2
  printf 'GET / HTTP/1.0\r\n\r\n' | nc -q1 127.0.0.1 8000
  build/release/app/ringress --validate -c conf/examples/tcp.toml

Ctrl-C stops it (open connections get runtime.drain_timeout to finish).

MSG
build/release/app/ringress -c conf/examples/tcp.toml &
pids+=($!)
wait "${pids[-1]}"
