#!/usr/bin/env python3
"""End-to-end L4 benchmark: ringress vs HAProxy (and a direct baseline) on one 2-core machine.

Layout: the load generator (tcpload) and the upstreams (tcpsink: sink, echo, source) share
core 0; the proxy under test runs alone on core 1 (ringress with workers = 1, HAProxy with
nbthread 1). Targets are interleaved in rounds (direct, ringress, haproxy, direct, ...) so that
slow drifts of the machine hit every target alike; each figure is the median of the rounds,
with min and max.

The ranking figure is the proxy core's CPU time per unit of work (per MiB, per connection),
read from /proc/stat's cpu1 line around each run. With one load core, either core may be the
bottleneck (the core0/core1 busy columns say which), so MiB/s and conn/s measure the proxy only
when core 1 saturates first; CPU per unit measures the proxy either way. The "direct" rows show
what core 1 burns without any proxy (background noise).

Standard library only. Builds nothing: pass the binaries (defaults: build/release).
    python3 benchmarks/e2e/tcp_bench.py --quick
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import (HZ, REPO, Processes, cpu_jiffies, exit_cleanly_on_signals,  # noqa: E402
                          fmt, free_ports, process_cpu_seconds, ratio, read_line, spread,
                          time_wait_sockets, wait_listening)

# test name -> (tcpload arguments, upstream mode, unit of work)
TESTS = {
    "throughput_up": (["throughput", "--direction", "up"], "sink", "MiB"),
    "throughput_down": (["throughput", "--direction", "down"], "source", "MiB"),
    # The upstream closes first (half-close after the echo), as many servers do: TIME_WAIT
    # stays on server sockets. connrate_client_close lets the client close first: the load
    # generator's and the proxy's ephemeral ports then sit in TIME_WAIT and the kernel's port
    # reuse (tcp_tw_reuse) caps the rate at about half the port range per second.
    "connrate": (["connrate", "--close", "server"], "echo_close", "conn"),
    "connrate_client_close": (["connrate", "--close", "client"], "echo", "conn"),
}
DEFAULT_TESTS = ["throughput_up", "throughput_down", "connrate"]
TARGETS = ["direct", "ringress", "haproxy"]


# ---------------------------------------------------------------------------------------------
# Configs.


def ringress_config(listen_ports, upstream_ports, runtime_extra=()):
    runtime = ["workers = 1", 'log_level = "warn"'] + list(runtime_extra)
    parts = ["[runtime]\n" + "\n".join(runtime) + "\n"]
    for name, port in listen_ports.items():
        parts.append(
            f'[[listeners]]\nname = "{name}"\naddress = "127.0.0.1:{port}"\ncluster = "{name}"\n')
    for name, port in upstream_ports.items():
        parts.append(f'[[clusters]]\nname = "{name}"\nendpoints = ["127.0.0.1:{port}"]\n')
    return "\n".join(parts)


def haproxy_config(listen_ports, upstream_ports, global_extra=()):
    # One thread (the proxy core), no logging, generous timeouts; maxconn stays within the
    # 20000-descriptor hard limit of the benchmark machine (2 sockets per connection).
    parts = [
        "global\n    nbthread 1\n    maxconn 8000\n" + "".join(f"    {l}\n" for l in global_extra),
        "defaults\n    mode tcp\n    maxconn 8000\n    timeout connect 5s\n"
        "    timeout client 300s\n    timeout server 300s\n",
    ]
    for name, port in listen_ports.items():
        parts.append(f"frontend f_{name}\n    bind 127.0.0.1:{port}\n"
                     f"    default_backend b_{name}\n")
        parts.append(f"backend b_{name}\n    server s1 127.0.0.1:{upstream_ports[name]}\n")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# The benchmark.


class Bench:
    def __init__(self, args, procs, workdir):
        self.args = args
        self.procs = procs
        self.workdir = workdir
        self.upstream_ports = {}  # upstream mode -> port
        self.target_ports = {t: {} for t in TARGETS}  # target -> {upstream mode -> port}
        self.target_pids = {}  # proxy target -> pid
        self.logs = {}

    def pinned(self, cpu, argv):
        return ["taskset", "-c", str(cpu)] + argv

    def start_upstreams(self):
        for mode in sorted({m for _, m, _ in (TESTS[t] for t in self.args.tests)}):
            proc = self.procs.start(
                f"tcpsink-{mode}",
                self.pinned(self.args.load_cpu,
                            [self.args.tcpsink, "--listen", "127.0.0.1:0", "--mode", mode]),
                stdout=subprocess.PIPE)
            line = read_line(proc, 10)
            if not line.startswith("port "):
                raise RuntimeError(f"tcpsink --mode {mode} did not start")
            self.upstream_ports[mode] = int(line.split()[1])
        self.target_ports["direct"] = dict(self.upstream_ports)

    def start_proxy(self, target):
        modes = list(self.upstream_ports)
        listen = dict(zip(modes, free_ports(len(modes))))
        config = os.path.join(self.workdir, f"{target}.cfg")
        if target == "ringress":
            text = ringress_config(listen, self.upstream_ports, self.args.ringress_runtime)
        else:
            text = haproxy_config(listen, self.upstream_ports, self.args.haproxy_global)
        with open(config, "w") as f:
            f.write(text)
        log = os.path.join(self.workdir, f"{target}.log")
        self.logs[target] = log
        argv = ([self.args.ringress, "-c", config] if target == "ringress" else
                [self.args.haproxy, "-f", config, "-db"])
        with open(log, "wb") as out:
            proc = self.procs.start(target, self.pinned(self.args.proxy_cpu, argv), stderr=out,
                                    stdout=out)
        for port in listen.values():
            if not wait_listening(port, proc):
                raise RuntimeError(
                    f"{target} did not start listening; log:\n{self.log_tail(target)}")
        self.target_ports[target] = listen
        self.target_pids[target] = proc.pid

    def log_tail(self, target, lines=20):
        try:
            with open(self.logs[target], errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except (OSError, KeyError):
            return ""

    def proxy_alive(self, target):
        return all(p.poll() is None for n, p in self.procs.started if n == target)

    def run_once(self, test, target, duration):
        """One tcpload run against `target`, with the CPU it cost each core."""
        load_args, mode, unit = TESTS[test]
        port = self.target_ports[target][mode]
        argv = [self.args.tcpload] + load_args + [
            "--target", f"127.0.0.1:{port}", "--duration", str(duration)
        ]
        argv += (["--connections", str(self.args.connections)] if unit == "MiB" else
                 ["--concurrency", str(self.args.concurrency)])
        pid = self.target_pids.get(target)
        tw_before = time_wait_sockets()
        proc_cpu0 = process_cpu_seconds(pid) if pid else 0.0
        before = cpu_jiffies()
        t0 = time.monotonic()
        load = self.procs.start("tcpload", self.pinned(self.args.load_cpu, argv),
                                stdout=subprocess.PIPE)
        try:
            out, _ = load.communicate(timeout=duration + 20)
        finally:
            if load.poll() is None:
                load.kill()
                load.wait(timeout=5)
            self.procs.started = [(n, p) for n, p in self.procs.started if p is not load]
        wall = time.monotonic() - t0
        after = cpu_jiffies()
        proc_cpu = (process_cpu_seconds(pid) - proc_cpu0) if pid else 0.0
        result = json.loads(out.decode().strip().splitlines()[-1])

        def busy(cpu):
            b = after[cpu][0] - before[cpu][0]
            t = after[cpu][1] - before[cpu][1]
            return b / HZ, (b / t if t else 0.0)

        pcpu = self.args.proxy_cpu
        proxy_s, proxy_frac = busy(pcpu)
        _, load_frac = busy(self.args.load_cpu)
        units = result["bytes"] / 2**20 if unit == "MiB" else result["connections"]
        return {
            "test": test, "target": target, "units": units, "unit": unit,
            "rate": units / result["seconds"], "wall_s": round(wall, 3),
            "proxy_core_cpu_s": proxy_s, "proxy_core_busy": round(proxy_frac, 3),
            # Part of the busy time the hypervisor gave to someone else (a VM's noise).
            "proxy_core_steal_s": (after[pcpu][2] - before[pcpu][2]) / HZ,
            "load_core_busy": round(load_frac, 3),
            "proxy_core_us_per_unit": proxy_s * 1e6 / units if units else None,
            "proxy_process_cpu_s": proc_cpu,
            # Core-1 time outside the proxy process: softirq work the kernel did not charge to
            # it, plus any other process that ran there (noise from other jobs shows up here).
            "proxy_core_other_cpu_s": proxy_s - proc_cpu if pid else proxy_s,
            "proxy_process_us_per_unit": proc_cpu * 1e6 / units if units and pid else None,
            "errors": result["connect_errors"] + result["io_errors"],
            "time_wait_before": tw_before, "tcpload": result,
        }

    def run(self):
        runs = []
        # Warm-up (not recorded): first connections, page faults, buffer pools.
        for test in self.args.tests:
            for target in self.args.targets:
                self.run_once(test, target, self.args.warmup)
        for rnd in range(self.args.rounds):
            for test in self.args.tests:
                for target in self.args.targets:
                    if not self.proxy_alive(target):
                        print(f"  {target} is gone; skipping", file=sys.stderr)
                        continue
                    r = self.run_once(test, target, self.args.duration)
                    r["round"] = rnd
                    runs.append(r)
                    print(f"  round {rnd} {test:15} {target:8} {r['rate']:10.1f} {r['unit']}/s"
                          f"  core1 {r['proxy_core_busy']:.2f}  core0 {r['load_core_busy']:.2f}"
                          f"  errors {r['errors']}", file=sys.stderr)
                    time.sleep(self.args.pause)
        return runs


# ---------------------------------------------------------------------------------------------
# Summary.


def summarize(runs, tests, targets):
    summary = {}
    for test in tests:
        for target in targets:
            rs = [r for r in runs if r["test"] == test and r["target"] == target]
            if not rs:
                continue
            summary[f"{test}/{target}"] = {
                "unit": rs[0]["unit"], "runs": len(rs),
                "rate": spread([r["rate"] for r in rs]),
                "proxy_core_us_per_unit": spread([r["proxy_core_us_per_unit"] for r in rs]),
                "proxy_process_us_per_unit": spread([r["proxy_process_us_per_unit"] for r in rs]),
                "proxy_core_busy": spread([r["proxy_core_busy"] for r in rs]),
                "load_core_busy": spread([r["load_core_busy"] for r in rs]),
                "errors": sum(r["errors"] for r in rs),
            }
    return summary


def markdown(summary, tests, targets):
    lines = [
        "| test | target | rate /s (median [min–max]) | proxy core µs/unit"
        " | proxy process µs/unit | core1 busy | core0 busy | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for test in tests:
        for target in targets:
            s = summary.get(f"{test}/{target}")
            if not s:
                continue
            lines.append(
                f"| {test} | {target} | {fmt(s['rate'])} {s['unit']} | "
                f"{fmt(s['proxy_core_us_per_unit'], 1)} | "
                f"{fmt(s['proxy_process_us_per_unit'], 1)} | "
                f"{fmt(s['proxy_core_busy'], 2)} | {fmt(s['load_core_busy'], 2)} | {s['errors']} |")
    lines += ["", "| test | rate ringress/haproxy (higher is better) |"
              " proxy core CPU per unit ringress/haproxy (lower is better) |", "|---|---|---|"]
    for test in tests:
        r, h = summary.get(f"{test}/ringress"), summary.get(f"{test}/haproxy")
        if r and h:
            lines.append(f"| {test} | {ratio(r['rate'], h['rate'])} | "
                         f"{ratio(r['proxy_core_us_per_unit'], h['proxy_core_us_per_unit'])} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def parse_args():
    build = os.path.join(REPO, "build", "release")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="3 short rounds (< 2 minutes)")
    p.add_argument("--ringress", default=os.path.join(build, "app", "ringress"))
    p.add_argument("--tcpload", default=os.path.join(build, "benchmarks", "tcpload"))
    p.add_argument("--tcpsink", default=os.path.join(build, "benchmarks", "tcpsink"))
    p.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    p.add_argument("--rounds", type=int, help="default 3 (quick) or 5")
    p.add_argument("--duration", type=float, help="seconds per run; default 2 (quick) or 8")
    p.add_argument("--warmup", type=float, default=0.5, help="seconds per warm-up run")
    p.add_argument("--pause", type=float, default=0.2, help="seconds between runs")
    p.add_argument("--connections", type=int, default=16, help="throughput connections")
    p.add_argument("--concurrency", type=int, default=32, help="connrate concurrent loops")
    p.add_argument("--tests", default=",".join(DEFAULT_TESTS),
                   help=f"comma-separated, from {', '.join(TESTS)}")
    p.add_argument("--targets", default=",".join(TARGETS), help="comma-separated subset")
    p.add_argument("--ringress-runtime", action="append", default=[], metavar="LINE",
                   help='extra [runtime] line for ringress, e.g. \'buffer_size = "64KiB"\'')
    p.add_argument("--haproxy-global", action="append", default=[], metavar="LINE",
                   help="extra global line for HAProxy, e.g. 'tune.bufsize 65536'")
    p.add_argument("--load-cpu", type=int, default=0)
    p.add_argument("--proxy-cpu", type=int, default=1)
    p.add_argument("--out", help="JSON file (default benchmarks/results/tcp_bench-<time>.json)")
    args = p.parse_args()
    args.rounds = args.rounds or (3 if args.quick else 5)
    args.duration = args.duration or (2.0 if args.quick else 8.0)
    args.tests = [t for t in args.tests.split(",") if t]
    args.targets = [t for t in args.targets.split(",") if t]
    for t in args.tests:
        if t not in TESTS:
            p.error(f"unknown test {t}")
    for t in args.targets:
        if t not in TARGETS:
            p.error(f"unknown target {t}")
    return args


def check_setup(args):
    missing = [b for b in (args.tcpload, args.tcpsink) if not os.access(b, os.X_OK)]
    if "ringress" in args.targets and not os.access(args.ringress, os.X_OK):
        missing.append(args.ringress)
    if "haproxy" in args.targets and not os.access(args.haproxy, os.X_OK):
        missing.append(args.haproxy)
    if missing:
        sys.exit("missing binaries (build with --target ringress tcpload tcpsink): " +
                 ", ".join(missing))
    if not shutil.which("taskset"):
        sys.exit("taskset not found (util-linux)")
    cpus = os.sched_getaffinity(0)
    if args.load_cpu not in cpus or args.proxy_cpu not in cpus or args.load_cpu == args.proxy_cpu:
        sys.exit(f"need two distinct usable CPUs (have {sorted(cpus)})")


def environment(args):
    def cmd(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "haproxy": cmd([args.haproxy, "-v"]).splitlines()[0] if "haproxy" in args.targets else "",
        "ringress_git": cmd(["git", "-C", REPO, "describe", "--always", "--dirty"]).strip(),
        "loadavg_start": open("/proc/loadavg").read().strip(),
        "tcp_tw_reuse": open("/proc/sys/net/ipv4/tcp_tw_reuse").read().strip(),
        "ip_local_port_range": open("/proc/sys/net/ipv4/ip_local_port_range").read().split(),
    }


def main():
    args = parse_args()
    check_setup(args)
    exit_cleanly_on_signals()
    # The driver itself stays off the proxy core.
    os.sched_setaffinity(0, {args.load_cpu})
    env = environment(args)
    started = time.monotonic()
    procs = Processes()
    exit_codes = {}
    with tempfile.TemporaryDirectory(prefix="ringress-bench-") as workdir:
        bench = Bench(args, procs, workdir)
        try:
            bench.start_upstreams()
            for target in args.targets:
                if target != "direct":
                    bench.start_proxy(target)
            runs = bench.run()
            logs = {t: bench.log_tail(t) for t in bench.logs}
        finally:
            exit_codes = procs.stop_all()

    summary = summarize(runs, args.tests, args.targets)
    table = markdown(summary, args.tests, args.targets)
    print(table)
    env["loadavg_end"] = open("/proc/loadavg").read().strip()
    report = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "settings": {k: v for k, v in vars(args).items()},
        "environment": env, "elapsed_s": round(time.monotonic() - started, 1),
        "summary": summary, "markdown": table, "runs": runs,
        "proxy_logs_tail": logs, "exit_codes": exit_codes,
    }
    out = args.out or os.path.join(
        REPO, "benchmarks", "results",
        f"tcp_bench-{report['mode']}-{datetime.datetime.now():%Y%m%d-%H%M%S}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"\n{report['elapsed_s']} s; results in {os.path.relpath(out, REPO)}")


if __name__ == "__main__":
    main()
