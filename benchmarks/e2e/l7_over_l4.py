"""What HTTP costs ringress over its own L4 forwarding: the get_64 request (GET, 64 B response,
50 keep-alive connections, wrk) through an `http` listener (L7) and through a TCP listener
(L4, `cluster = ...`) of the same ringress process, to the same nginx origin.

    python3 benchmarks/e2e/l7_over_l4.py [--rounds 7] [--duration 5]
    python3 benchmarks/e2e/l7_over_l4.py --binary base=/tmp/ringress-old --binary new=build/release/app/ringress

Layout as in http_bench.py: origin and wrk on core 0, ringress (workers = 1) alone on core 1.
With several --binary, each runs as its own process (idle while another is measured) and the
runs are interleaved (binary x path per round), so drift hits every one alike: an A/B test.

Per run: the ringress process's utime and stime (/proc, all threads) and core 1's busy time,
each divided by the requests wrk completed; the summary gives medians [min-max] over the
rounds and the L7/L4 ratio of the medians, per binary. Process CPU per request is the figure
that load on the other cores moves least (the core figure also counts whatever else ran on
core 1). With --perf-record DIR, each binary's last run of each path is recorded (`perf record -g`,
cpu-clock: the machine may have no hardware counters) into DIR/<binary>-<l7|l4>.data.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402
import http_configs  # noqa: E402
import http_workloads as wl  # noqa: E402


def ringress_config(http_port, tcp_port, origin_port):
    text = http_configs.ringress_config(http_port, origin_port)
    return text + f"""
[[listeners]]
name = "l4"
address = "127.0.0.1:{tcp_port}"
cluster = "origin"
"""


def process_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    build = os.path.join(bc.REPO, "build", "release")
    p.add_argument("--binary", action="append", default=[], metavar="NAME=PATH",
                   help="a ringress binary to measure (repeatable); default BUILD/app/ringress")
    p.add_argument("--env", action="append", default=[], metavar="NAME:VAR=VALUE",
                   help="an environment variable for binary NAME only (repeatable)")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--duration", type=int, default=5)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--load-cpu", type=int, default=0)
    p.add_argument("--proxy-cpu", type=int, default=1)
    p.add_argument("--perf-record", metavar="DIR")
    p.add_argument("--out", help="JSON of every run")
    args = p.parse_args()
    binaries = dict(b.split("=", 1) for b in args.binary) or {
        "ringress": os.path.join(build, "app", "ringress")}
    bc.exit_cleanly_on_signals()
    bc.raise_nofile_limit()
    procs = bc.Processes()
    workdir = tempfile.mkdtemp(prefix="l7l4-")
    runs = []
    try:
        origin_port, status_port = bc.free_ports(2)
        root = os.path.join(workdir, "www")
        http_configs.write_origin_files(root)
        conf = os.path.join(workdir, "origin.conf")
        with open(conf, "w") as f:
            f.write(http_configs.origin_nginx_config(workdir, origin_port, status_port, root,
                                                     4096))
        origin = procs.start("origin", bc.pinned(args.load_cpu, [
            "/usr/sbin/nginx", "-c", conf, "-p", workdir, "-e", os.path.join(workdir, "e.log")]))
        if not bc.wait_listening(origin_port, origin):
            raise RuntimeError("origin did not start")
        proxies = {}
        for name, path in binaries.items():
            http_port, tcp_port = bc.free_ports(2)
            cfg = os.path.join(workdir, f"{name}.toml")
            with open(cfg, "w") as f:
                f.write(ringress_config(http_port, tcp_port, origin_port))
            log = open(os.path.join(workdir, f"{name}.log"), "w")
            env = dict(os.environ)
            for e in args.env:
                who, var = e.split(":", 1)
                if who == name:
                    key, value = var.split("=", 1)
                    env[key] = value
            proc = procs.start(name, bc.pinned(args.proxy_cpu, [path, "-c", cfg]), stderr=log,
                               env=env)
            if not (bc.wait_listening(http_port, proc) and bc.wait_listening(tcp_port, proc)):
                raise RuntimeError(f"{name} did not start:\n{bc.tail(log.name)}")
            proxies[name] = (proc, {"l7": http_port, "l4": tcp_port})
        script = wl.write_script(workdir, "get_64", wl.WORKLOADS["get_64"])
        spec = dict(wl.WORKLOADS["get_64"], connections=args.connections)

        def run(name, path, seconds, record=None):
            proc, ports = proxies[name]
            argv = bc.pinned(args.load_cpu, wl.wrk_argv("/usr/bin/wrk", script, spec,
                                                        ports[path], seconds))
            rec = None
            if record:
                rec = procs.start("perf", ["perf", "record", "-e", "cpu-clock", "-g", "-o",
                                           record, "-p", str(proc.pid)])
            u0, s0 = process_ticks(proc.pid)
            meter = bc.CoreMeter().start()
            out, _ = bc.run_bounded(procs, "wrk", argv, seconds + 30)
            meter.stop()
            u1, s1 = process_ticks(proc.pid)
            if rec:
                rec.send_signal(2)
                rec.wait(timeout=30)
                procs.forget(rec)
            total = wl.parse_output(out)
            if not total or not total["requests"]:
                raise RuntimeError(f"wrk failed against {name} {path}: {out[-500:]}")
            n = total["requests"]
            us = 1e6 / bc.HZ / n
            errors = sum(total[k] for k in ("connect_errors", "read_errors", "write_errors",
                                            "status_errors", "timeouts"))
            return {"binary": name, "path": path, "requests": n, "errors": errors,
                    "req_per_s": n * 1e6 / total["duration_us"],
                    "user_us": (u1 - u0) * us, "sys_us": (s1 - s0) * us,
                    "process_us": ((u1 - u0) + (s1 - s0)) * us,
                    "core_us": meter.busy_seconds(args.proxy_cpu) * 1e6 / n}

        for name in proxies:  # warm-up: pools, connections, page faults
            for path in ("l7", "l4"):
                run(name, path, 2)
        for r in range(args.rounds):
            for name in proxies:
                for path in ("l7", "l4"):
                    rec = None
                    if args.perf_record and r == args.rounds - 1:
                        os.makedirs(args.perf_record, exist_ok=True)
                        rec = os.path.join(args.perf_record, f"{name}-{path}.data")
                    runs.append(run(name, path, args.duration, rec))
                    print(json.dumps(runs[-1]), file=sys.stderr)
                    time.sleep(0.05)
    finally:
        procs.stop_all()
    if args.out:
        with open(args.out, "w") as f:
            json.dump(runs, f, indent=1)

    def med(name, path, key):
        vals = [x[key] for x in runs if x["binary"] == name and x["path"] == path]
        return statistics.median(vals), min(vals), max(vals)

    def low(name, path, key):
        return med(name, path, key)[1]

    keys = ("process_us", "user_us", "sys_us", "core_us", "req_per_s")
    print("| binary | path | " + " | ".join(keys) + " | errors |")
    print("|---|---|" + "---|" * (len(keys) + 1))
    for name in binaries:
        for path in ("l7", "l4"):
            cells = [f"{m:.2f} [{lo:.2f}-{hi:.2f}]" if k != "req_per_s" else f"{m:.0f}"
                     for k in keys for m, lo, hi in [med(name, path, k)]]
            errs = sum(x["errors"] for x in runs if x["binary"] == name and x["path"] == path)
            print(f"| {name} | {path} | " + " | ".join(cells) + f" | {errs} |")
    for name in binaries:
        ratios = {k: med(name, "l7", k)[0] / med(name, "l4", k)[0]
                  for k in ("process_us", "user_us", "core_us")}
        print(f"{name}: L7/L4 " + ", ".join(f"{k} {v:.3f}x" for k, v in ratios.items()))
        lows = {k: low(name, "l7", k) / low(name, "l4", k) for k in ("process_us", "core_us")}
        print(f"{name}: L7/L4 of the minima " +
              ", ".join(f"{k} {v:.3f}x" for k, v in lows.items()))


if __name__ == "__main__":
    main()
