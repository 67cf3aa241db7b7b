#!/usr/bin/env python3
"""Heap allocations per proxied request in steady state, measured on the real ringress binary.

ringress runs with tools/alloc_counter_preload.so (LD_PRELOAD), which counts malloc, calloc,
realloc, the aligned allocators and operator new per thread into a shared file. A plain client
sends keep-alive requests through ringress to an nginx origin. For each workload:

    warm-up run (W requests) | run 1: N requests | run 2: 2N requests

each run on a new connection; allocations per request = (allocations in run 2 - in run 1) / N,
counting the worker threads only (not the main thread). Costs per connection (accept, the
connection's coroutine) are the same in both runs and cancel out; so does anything the warm-up
already did once. The target is 0.

With --backtraces, the allocations of run 2 are recorded with their call stacks and the top
call sites are printed (function names from the binaries' symbol tables; build with
-DCMAKE_BUILD_TYPE=RelWithDebInfo and pass --ringress for file:line).

    python3 benchmarks/e2e/alloc_per_request.py [--requests 5000] [--backtraces]
"""

import argparse
import collections
import json
import mmap
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_configs  # noqa: E402
from bench_common import (REPO, Interrupted, Processes, exit_cleanly_on_signals,  # noqa: E402
                          free_ports, pinned, tail, wait_listening)
from http_bench import Origin  # noqa: E402

KINDS = ["malloc", "calloc", "realloc", "aligned", "new"]
HEADER_WORDS, SLOT_WORDS, SLOTS = 8, 8, 256

# name -> (method, path, body bytes, a new connection per request)
WORKLOADS = {
    "get_64": ("GET", "/64", 0, False),
    "get_4k": ("GET", "/4k", 0, False),
    "get_1m": ("GET", "/1m", 0, False),
    "post_64k": ("POST", "/post", 65536, False),
    # Connection: close: what one new downstream connection costs (accept to close).
    "close_64": ("GET", "/64", 0, True),
}


class Counters:
    """The preload's shared counter file."""

    def __init__(self, path):
        self.path = path
        self.map = None

    def open(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        size = 8 * (HEADER_WORDS + SLOTS * SLOT_WORDS)
        while time.monotonic() < deadline:
            if os.path.exists(self.path) and os.path.getsize(self.path) >= size:
                with open(self.path, "r+b") as f:
                    self.map = mmap.mmap(f.fileno(), size)
                if self.map[:8] == b"ALLOCCNT":
                    return True
            time.sleep(0.05)
        return False

    def snapshot(self):
        """{tid: [counts per kind]}."""
        out = {}
        used = min(struct.unpack_from("<Q", self.map, 24)[0], SLOTS)
        for i in range(used):
            at = 8 * (HEADER_WORDS + i * SLOT_WORDS)
            words = struct.unpack_from(f"<{SLOT_WORDS}Q", self.map, at)
            if words[0]:
                out[words[0]] = list(words[1:1 + len(KINDS)])
        return out

    def arm(self, on):
        struct.pack_into("<Q", self.map, 16, 1 if on else 0)


def worker_total(snap, main_tid):
    total = [0] * len(KINDS)
    for tid, counts in snap.items():
        if tid != main_tid:
            total = [a + b for a, b in zip(total, counts)]
    return total


def thread_names(pid):
    names = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                names[int(tid)] = f.read().strip()
        except OSError:
            pass
    return names


def drive(port, method, path, body_bytes, close, requests):
    """`requests` requests one at a time: on one new keep-alive connection, or (close) each on
    its own connection with Connection: close."""
    if close:
        for _ in range(requests):
            exchange(port, method, path, body_bytes, True, 1)
    else:
        exchange(port, method, path, body_bytes, False, requests)


def exchange(port, method, path, body_bytes, close, requests):
    body = b"b" * body_bytes
    head = (f"{method} {path} HTTP/1.1\r\nHost: bench\r\n"
            + (f"Content-Length: {body_bytes}\r\nContent-Type: application/octet-stream\r\n"
               if body_bytes else "") + ("Connection: close\r\n" if close else "")
            + "\r\n").encode()
    message = head + body
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""
        for _ in range(requests):
            s.sendall(message)
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("connection closed before a response head")
                buf += chunk
            end = buf.index(b"\r\n\r\n") + 4
            status = buf[:12]
            if not status.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"unexpected response: {buf[:200]!r}")
            length = None
            for line in buf[:end].split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length is None:
                raise RuntimeError("response without Content-Length")
            while len(buf) < end + length:
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise RuntimeError("connection closed mid-body")
                buf += chunk
            buf = buf[end + length:]


# ---------------------------------------------------------------------------------------------
# Backtraces.


def read_maps(pid):
    maps = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6 or "x" not in parts[1] or not parts[5].startswith("/"):
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            maps.append((lo, hi, int(parts[2], 16), parts[5]))
    return maps


def read_traces(path):
    """[(tid, size, kind, (addresses...))]."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at + 32 <= len(data):
        tid, size, kind, depth = struct.unpack_from("<4Q", data, at)
        at += 32
        frames = struct.unpack_from(f"<{depth}Q", data, at)
        at += 8 * depth
        out.append((tid, size, kind, frames))
    return out


def short(fn):
    """A demangled name without its parameter list (coroutine frames have very long ones)."""
    clone = " [clone .actor]" if fn.endswith("[clone .actor]") else ""
    fn = fn.replace("(anonymous namespace)", "{anon}")
    depth, out = 0, []
    for ch in fn:
        if ch == "(" and depth == 0 and out and not "".join(out).endswith("operator"):
            break
        depth += ch == "<"
        depth -= ch == ">"
        out.append(ch)
    return "".join(out) + clone


class Symbolizer:
    def __init__(self, maps):
        self.maps = maps
        self.cache = {}

    def locate(self, addr):
        for lo, hi, off, path in self.maps:
            if lo <= addr < hi:
                return path, addr - lo + off
        return None, addr

    def resolve_all(self, addrs):
        by_object = collections.defaultdict(set)
        for a in addrs:
            path, off = self.locate(a)
            if path:
                by_object[path].add((a, off))
        for path, items in by_object.items():
            items = sorted(items)
            # Return addresses: look up the call instruction just before.
            argv = ["addr2line", "-f", "-C", "-e", path]
            argv += [hex(max(off - 1, 0)) for _, off in items]
            out = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
            lines = out.splitlines()
            for i, (a, off) in enumerate(items):
                fn = lines[2 * i] if 2 * i < len(lines) else "??"
                loc = lines[2 * i + 1] if 2 * i + 1 < len(lines) else "??:?"
                where = os.path.basename(path)
                if loc and not loc.startswith("??") and not loc.endswith(":?"):
                    where = loc
                self.cache[a] = f"{short(fn)}  [{where}]"

    def name(self, addr):
        return self.cache.get(addr, hex(addr))


def call_sites(traces, maps, per, top, skip_prefixes=("alloc_counter_preload",)):
    """The most frequent allocating call stacks (beyond the preload and the allocator)."""
    sym = Symbolizer(maps)
    sym.resolve_all({a for _, _, _, frames in traces for a in frames})
    noise = ("malloc", "calloc", "realloc", "operator new", "counted_new", "count", "trace",
             "memalign", "aligned_alloc", "posix_memalign")

    def keep(addr):
        n = sym.name(addr)
        obj = n.rsplit("[", 1)[-1]
        if any(obj.startswith(p) for p in skip_prefixes):
            return False
        fn = n.split("  [", 1)[0]
        return not any(fn == x or fn.startswith(x + "(") for x in noise)

    stacks = collections.Counter()
    sizes = collections.defaultdict(list)
    for _tid, size, kind, frames in traces:
        chain = tuple(sym.name(a) for a in frames if keep(a))[:10]
        stacks[(KINDS[kind], chain)] += 1
        sizes[(KINDS[kind], chain)].append(size)
    out = []
    for (kind, chain), n in stacks.most_common(top):
        s = sizes[(kind, chain)]
        out.append({"count": n, "per_request": n / per, "kind": kind,
                    "size_min": min(s), "size_max": max(s), "stack": list(chain)})
    return out


# ---------------------------------------------------------------------------------------------


def parse_args():
    build = os.path.join(REPO, "build", "release")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default=build)
    p.add_argument("--ringress", help="default BUILD/app/ringress")
    p.add_argument("--preload", help="default BUILD/benchmarks/alloc_counter_preload.so")
    p.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    p.add_argument("--requests", type=int, default=5000, help="N (run 2 sends 2N)")
    p.add_argument("--warmup", type=int, default=2000)
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--backtraces", action="store_true", help="record run 2's call stacks")
    p.add_argument("--top", type=int, default=12, help="call sites to print")
    p.add_argument("--ringress-runtime", action="append", default=[], metavar="LINE")
    p.add_argument("--load-cpu", type=int, default=0)
    p.add_argument("--proxy-cpu", type=int, default=1)
    p.add_argument("--out",
                   help="JSON file (default benchmarks/results/alloc_per_request-<time>.json)")
    args = p.parse_args()
    args.ringress = args.ringress or os.path.join(args.build, "app", "ringress")
    args.preload = args.preload or os.path.join(args.build, "benchmarks",
                                                "alloc_counter_preload.so")
    args.workloads = [w for w in args.workloads.split(",") if w]
    return args


def main():
    args = parse_args()
    for path in (args.ringress, args.preload, args.nginx):
        if not os.path.exists(path):
            sys.exit(f"missing {path} (build the alloc_counter_preload and ringress targets)")
    exit_cleanly_on_signals()
    procs = Processes()
    results = {}
    with tempfile.TemporaryDirectory(prefix="ringress-alloc-") as workdir:
        try:
            origin = Origin(argparse.Namespace(load_cpu=args.load_cpu, nginx=args.nginx), procs,
                            workdir)
            origin.start(4096)
            (port,) = free_ports(1)
            config = os.path.join(workdir, "ringress.toml")
            with open(config, "w") as f:
                f.write(http_configs.ringress_config(port, origin.port, args.ringress_runtime))
            counts = os.path.join(workdir, "counts")
            traces = os.path.join(workdir, "traces")
            env = dict(os.environ, LD_PRELOAD=args.preload, RINGRESS_ALLOC_COUNTER_FILE=counts)
            if args.backtraces:
                env["RINGRESS_ALLOC_BACKTRACE_FILE"] = traces
            log = os.path.join(workdir, "ringress.log")
            with open(log, "wb") as out:
                argv = pinned(args.proxy_cpu, [args.ringress, "-c", config])
                proxy = procs.start("ringress", argv, stdout=out, stderr=out, env=env)
            if not wait_listening(port, proxy):
                raise RuntimeError(f"ringress did not start:\n{tail(log)}")
            counters = Counters(counts)
            if not counters.open():
                raise RuntimeError("no counter file: is the preload loaded?")
            main_tid = proxy.pid
            n = args.requests
            for name in args.workloads:
                method, path, body, close = WORKLOADS[name]
                drive(port, method, path, body, close, args.warmup)
                time.sleep(0.05)
                a = worker_total(counters.snapshot(), main_tid)
                drive(port, method, path, body, close, n)
                time.sleep(0.05)
                b = worker_total(counters.snapshot(), main_tid)
                if args.backtraces:
                    open(traces, "wb").close()
                    counters.arm(True)
                drive(port, method, path, body, close, 2 * n)
                time.sleep(0.05)
                if args.backtraces:
                    counters.arm(False)
                c = worker_total(counters.snapshot(), main_tid)
                run1 = [y - x for x, y in zip(a, b)]
                run2 = [y - x for x, y in zip(b, c)]
                per_kind = {k: (r2 - r1) / n for k, r1, r2 in zip(KINDS, run1, run2)}
                r = {"method": method, "path": path, "body_bytes": body, "n": n,
                     "new_connection_per_request": close,
                     "run1_allocations": sum(run1), "run2_allocations": sum(run2),
                     "per_request": (sum(run2) - sum(run1)) / n, "per_request_by_kind": per_kind,
                     "run2_per_request_raw": sum(run2) / (2 * n)}
                if args.backtraces:
                    # Run 2 had 2N requests; per-request figures count its stacks over 2N.
                    r["call_sites"] = call_sites(read_traces(traces), read_maps(proxy.pid),
                                                 2 * n, args.top)
                results[name] = r
                print(f"{name:9} {r['per_request']:7.3f} allocations/request in steady state "
                      f"(run 1: {sum(run1)} for {n} requests, run 2: {sum(run2)} for {2 * n}; "
                      + ", ".join(f"{k} {v:.3f}" for k, v in per_kind.items() if v) + ")")
                for site in r.get("call_sites", []):
                    print(f"    {site['per_request']:6.3f}/req  {site['kind']:7} "
                          f"{site['size_min']}-{site['size_max']} B")
                    for frame in site["stack"][:8]:
                        print(f"        {frame}")
            threads = thread_names(proxy.pid)
            snap = counters.snapshot()
            per_thread = {f"{tid} {threads.get(tid, '?')}{' (main)' if tid == main_tid else ''}":
                          sum(v) for tid, v in snap.items()}
        except (Interrupted, KeyboardInterrupt) as e:
            procs.stop_all()
            sys.exit(f"alloc_per_request: {e or 'interrupted'}; processes stopped")
        finally:
            procs.stop_all()
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "requests": args.requests,
              "warmup": args.warmup, "results": results, "allocations_by_thread": per_thread}
    out = args.out or os.path.join(REPO, "benchmarks", "results",
                                   f"alloc_per_request-{time.strftime('%Y%m%d-%H%M%S')}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"allocations by thread over the whole run: {per_thread}")
    print(f"results in {os.path.relpath(out, os.getcwd())}")


if __name__ == "__main__":
    main()
