#!/usr/bin/env bash
# Command 1 of the README: install what is missing, build, and run ringress on the bundled
# HTTP example (conf/examples/http.toml). Two demo backends (tiny Python HTTP servers) are
# started on 127.0.0.1:9001 and :9002 so the proxy on 127.0.0.1:8080 has somewhere to send
# requests. Ctrl-C stops all.
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
  mkdir -p "$demo/$n/users"
  echo "users list from backend $n" > "$demo/$n/users/index.html"
  python3 -m http.server --bind 127.0.0.1 --directory "$demo/$n" "900$n" >/dev/null 2>&1 &
  pids+=($!)
done

cat <<'MSG'

ringress is starting on conf/examples/http.toml: an HTTP proxy on 127.0.0.1:8080 with two
virtual hosts in front of two demo backends. Try, from another terminal:

  curl -i http://127.0.0.1:8080/healthz                            # answered by ringress itself
  curl -i http://127.0.0.1:8080/                                   # proxied to backend 2 ("web")
  curl -i -H 'Host: api.example.com' http://127.0.0.1:8080/users/  # backend 1 ("users")
  curl -i http://127.0.0.1:8080/old/page                           # 308 to /new/page
  curl -i http://127.0.0.1:8080/ -H 'Transfer-Encoding: chunked' -H 'Content-Length: 3'  # 400
  build/release/app/ringress --validate -c conf/examples/http.toml
  pkill -f 'http.server --bind 127.0.0.1 --directory .* 9002'      # "web" fails over to its backup

Every request is logged on standard output (the access_log filter). Ctrl-C stops ringress
(open connections get runtime.drain_timeout to finish) and prints its counters.
The TCP proxy example runs with: build/release/app/ringress -c conf/examples/tcp.toml

MSG
build/release/app/ringress -c conf/examples/http.toml &
pids+=($!)
wait "${pids[-1]}"
