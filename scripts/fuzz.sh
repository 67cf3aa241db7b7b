#!/usr/bin/env bash
# Builds the fuzz preset (clang 14, libFuzzer, ASan + UBSan) and runs every fuzz target for the
# same time each (docs/fuzzing.md):
#   scripts/fuzz.sh 10                  CI: 10 s per target
#   scripts/fuzz.sh 3600                an hour per target
#   scripts/fuzz.sh 600 request_parser  some targets only
#   scripts/fuzz.sh --no-build 60       the fuzzers already built in build/fuzz
# FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS=-jobs=2). A target starts from its seeds and
# regressions (fuzz/corpus/<t>, fuzz/regressions/<t>) and the inputs earlier runs found
# (build/fuzz/corpus/<t>, where new ones go). Prints execs, exec/s and coverage per target; exits
# non-zero when a target crashed, leaked or timed out, leaving the input that did it in
# build/fuzz/artifacts/<t>/ and the log in build/fuzz/logs/<t>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(request_parser response_parser chunk_framing proxy_headers config_loader router
  client_hello path_normalize)
build=1
if [[ "${1:-}" == "--no-build" ]]; then
  build=0
  shift
fi
seconds="${1:-}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: scripts/fuzz.sh [--no-build] SECONDS [target ...]" >&2
  exit 2
fi
shift
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

if ((build)); then
  scripts/setup.sh
  if ! command -v clang++-14 >/dev/null ||
    ! compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
    sudo=""
    ((EUID == 0)) || sudo=sudo
    echo "fuzz: installing clang 14 and its libFuzzer runtime"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
  fi
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)"
fi

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
out=build/fuzz
failed=()
printf '%-16s %10s %8s %7s %7s %7s  %s\n' target execs exec/s cov ft corpus result
for t in "${targets[@]}"; do
  bin="$out/fuzz/${t}_fuzz"
  if [[ ! -x "$bin" ]]; then
    echo "$t: no fuzzer $bin (build the fuzz preset)" >&2
    failed+=("$t")
    continue
  fi
  corpus="$out/corpus/$t"
  artifacts="$out/artifacts/$t"
  log="$out/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$out/logs"
  inputs=("$corpus" "fuzz/corpus/$t")
  [[ -d "fuzz/regressions/$t" ]] && inputs+=("fuzz/regressions/$t")
  flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$artifacts/")
  case "$t" in
    request_parser | response_parser) flags+=(-dict=fuzz/http.dict -max_len=16384) ;;
    chunk_framing) flags+=(-dict=fuzz/http.dict -max_len=12288) ;;  # past the 4 KiB framing limit
    config_loader) flags+=(-dict=fuzz/config_loader.dict -max_len=8192) ;;
    client_hello) flags+=(-max_len=20480) ;;  # past kMaxClientHelloBytes
  esac
  rc=0
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
  "$bin" "${flags[@]}" ${FUZZ_ARGS:-} "${inputs[@]}" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  files=$(find "$corpus" -type f | wc -l)
  result=ok
  if ((rc != 0)); then
    result="FAILED (exit $rc): $(grep -o 'Test unit written to .*' "$log" | tail -1 | cut -d' ' -f5-)"
    failed+=("$t")
  fi
  printf '%-16s %10s %8s %7s %7s %7s  %s\n' "$t" "${execs:--}" "${speed:--}" "${cov:--}" \
    "${ft:--}" "$files" "$result"
done

if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    echo
    echo "== $t: $out/logs/$t.log"
    grep -E -A12 'fuzz check failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' \
      "$out/logs/$t.log" | head -40 || true
  done
  echo
  echo "reproduce: build/fuzz/fuzz/<target>_fuzz <input>; keep it: fuzz/regressions/<target>/" >&2
  exit 1
fi
