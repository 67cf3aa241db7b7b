#!/usr/bin/env python3
"""End-to-end HTTP benchmark: ringress vs nginx vs HAProxy (and direct to the origin), one command.

Layout (2 cores): the origin (nginx, one process, static files), the load generator (wrk, one
thread), the idle-connection holder and this driver share core 0; the proxy under test runs
alone on core 1 with one worker (ringress workers = 1, nginx worker_processes 1, HAProxy
nbthread 1). Targets are interleaved in rounds (direct, ringress, nginx, haproxy, direct, ...)
for each workload; each figure is the median of the rounds, with min and max.

Figures per workload and target: requests/s, p50/p99 latency and transfer rate (wrk), the proxy
core's busy time per request in µs (/proc/stat of core 1: the ranking figure, see README), new
upstream connections per 1000 requests (accepts counted by the origin's stub_status), the
proxy's peak RSS, and the busy fraction of both cores (which one saturated). Then the RSS per
idle kept-alive connection (10 000 connections held open by tools/connhold) and the TCP proxy
figures (e2e/tcp_bench.py, run as part of this command).

    python3 benchmarks/e2e/http_bench.py --quick     # < 2 minutes
    python3 benchmarks/e2e/http_bench.py             # < 15 minutes
    python3 benchmarks/e2e/http_bench.py --smoke     # a few seconds; exit 1 if a figure is missing

Writes benchmarks/results/http_bench-<mode>-<time>.json, a markdown table (stdout and .md next
to the JSON) and a chart (.png, with /usr/bin/python3 + python3-matplotlib).
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_configs  # noqa: E402
import http_report  # noqa: E402
import http_workloads as wl  # noqa: E402
from bench_common import (REPO, CoreMeter, Interrupted, Processes, check_two_cpus,  # noqa: E402
                          exit_cleanly_on_signals, free_ports, machine, memory_kib, pinned,
                          process_cpu_seconds, raise_nofile_limit, read_line, reset_peak_rss,
                          run_bounded, tail, wait_listening)

TARGETS = ["direct", "ringress", "nginx", "haproxy"]
PROXIES = ["ringress", "nginx", "haproxy"]
# HTTPS: once ringress terminates TLS, add "https" targets here (ringress with a [tls] listener,
# nginx `listen ... ssl`, HAProxy `bind ... ssl crt`, certificates generated into the workdir)
# and https workloads in http_workloads.py; everything else (rounds, figures) stays the same.

SMOKE_WORKLOADS = ["get_4k", "close_64", "post_64k"]  # keep-alive, new connections, a body


class Origin:
    """nginx serving the fixed responses, pinned to the load core, with stub_status."""

    def __init__(self, args, procs, workdir):
        self.args, self.procs, self.workdir = args, procs, workdir
        self.port, self.status_port = free_ports(2)

    def start(self, nofile):
        root = os.path.join(self.workdir, "www")
        http_configs.write_origin_files(root)
        config = os.path.join(self.workdir, "origin.conf")
        with open(config, "w") as f:
            f.write(http_configs.origin_nginx_config(self.workdir, self.port, self.status_port,
                                                     root, nofile))
        self.proc = self.procs.start(
            "origin", pinned(self.args.load_cpu, [self.args.nginx, "-c", config, "-p",
                                                  self.workdir, "-e", self.error_log()]))
        if not wait_listening(self.port, self.proc) or not wait_listening(self.status_port,
                                                                          self.proc):
            raise RuntimeError(f"origin nginx did not start:\n{tail(self.error_log())}")

    def error_log(self):
        return os.path.join(self.workdir, "origin-error.log")

    def counters(self):
        """(accepted connections, requests) so far. The read itself is one connection and one
        request: between two reads, subtract 1 from each difference."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.status_port}/", timeout=5) as r:
            lines = r.read().decode().splitlines()
        accepts, _handled, requests = map(int, lines[2].split())
        return accepts, requests


class HttpBench:
    def __init__(self, args, procs, workdir):
        self.args, self.procs, self.workdir = args, procs, workdir
        self.origin = Origin(args, procs, workdir)
        self.ports = {}  # target -> port
        self.pids = {}  # proxy target -> pid
        self.logs = {}  # proxy target -> log file
        self.scripts = {}
        self.proxies = {}  # proxy target -> Popen

    # -- processes ------------------------------------------------------------------------------

    def start(self):
        self.origin.start(self.args.nofile)
        self.ports["direct"] = self.origin.port
        for name in self.args.workloads:
            self.scripts[name] = wl.write_script(self.workdir, name, wl.WORKLOADS[name])
        for target in self.args.targets:
            if target != "direct":
                self.start_proxy(target)
        if "ringress" in self.args.targets:
            for routes in sorted({wl.WORKLOADS[w].get("routes") for w in self.args.workloads}
                                 - {None}):
                self.start_ringress_with_routes(routes)

    def proxy_of(self, workload, target):
        """The process (its key in ports/pids) that `target` means for `workload`."""
        routes = wl.WORKLOADS[workload].get("routes")
        return f"ringress-routes{routes}" if routes and target == "ringress" else target

    def start_ringress_with_routes(self, routes):
        """A second ringress, also on the proxy core, whose virtual host has `routes` routes and
        requests match the last one; idle except while a workload with "routes" runs."""
        (port,) = free_ports(1)
        name = f"ringress-routes{routes}"
        config = os.path.join(self.workdir, f"{name}.toml")
        with open(config, "w") as f:
            f.write(http_configs.ringress_routes_config(port, self.origin.port, routes,
                                                        self.args.ringress_runtime))
        log = os.path.join(self.workdir, f"{name}.log")
        with open(log, "ab") as out:
            proc = self.procs.start(name, pinned(self.args.proxy_cpu,
                                                 [self.args.ringress, "-c", config]),
                                    stdout=out, stderr=out)
        if not wait_listening(port, proc):
            raise RuntimeError(f"{name} did not start listening; log:\n{tail(log)}")
        self.ports[name], self.pids[name], self.logs[name] = port, proc.pid, log
        self.proxies[name] = proc

    def start_proxy(self, target):
        (port,) = free_ports(1)
        log = os.path.join(self.workdir, f"{target}.log")
        origin = self.origin.port
        if target == "ringress":
            config = os.path.join(self.workdir, "ringress.toml")
            text = http_configs.ringress_config(port, origin, self.args.ringress_runtime)
            argv = [self.args.ringress, "-c", config]
        elif target == "nginx":
            config = os.path.join(self.workdir, "nginx-proxy.conf")
            text = http_configs.nginx_proxy_config(self.workdir, port, origin, self.args.nofile)
            argv = [self.args.nginx, "-c", config, "-p", self.workdir, "-e", log]
        else:
            config = os.path.join(self.workdir, "haproxy.cfg")
            text = http_configs.haproxy_config(port, origin, self.args.idle_connections + 500,
                                               self.args.haproxy_global)
            argv = [self.args.haproxy, "-f", config, "-db"]
        with open(config, "w") as f:
            f.write(text)
        with open(log, "ab") as out:
            proc = self.procs.start(target, pinned(self.args.proxy_cpu, argv), stdout=out,
                                    stderr=out)
        if not wait_listening(port, proc):
            raise RuntimeError(f"{target} did not start listening; log:\n{tail(log)}")
        self.ports[target], self.pids[target], self.logs[target] = port, proc.pid, log
        self.proxies[target] = proc

    def restart_proxy(self, target):
        self.procs.stop(self.proxies[target])
        self.start_proxy(target)

    # -- one measurement ------------------------------------------------------------------------

    def run_once(self, workload, target, seconds):
        spec = wl.WORKLOADS[workload]
        proxy = self.proxy_of(workload, target)
        pid = self.pids.get(proxy)
        argv = wl.wrk_argv(self.args.wrk, self.scripts[workload], spec, self.ports[proxy],
                           seconds)
        accepts0, requests0 = self.origin.counters()
        if pid:
            reset_peak_rss(pid)
        proc_cpu0 = process_cpu_seconds(pid) if pid else 0.0
        meter = CoreMeter().start()
        out, code = run_bounded(self.procs, "wrk", pinned(self.args.load_cpu, argv),
                                timeout=seconds + 30)
        meter.stop()
        proc_cpu = process_cpu_seconds(pid) - proc_cpu0 if pid else None
        accepts1, requests1 = self.origin.counters()
        w = wl.parse_output(out)
        if w is None:
            return {"workload": workload, "target": target, "failed": True,
                    "wrk_exit": code, "wrk_output": out[-2000:]}
        seconds_run = w["duration_us"] / 1e6
        reqs = w["requests"]
        pc = self.args.proxy_cpu
        mem = memory_kib(pid) if pid else {}
        r = {
            "workload": workload, "target": target, "requests": reqs,
            "rps": reqs / seconds_run if seconds_run else 0.0,
            "p50_ms": w["p50_us"] / 1000, "p99_ms": w["p99_us"] / 1000,
            "mean_ms": w["mean_us"] / 1000,
            "mib_per_s": w["bytes"] / seconds_run / 2**20 if seconds_run else 0.0,
            "errors": sum(w[k] for k in ("connect_errors", "read_errors", "write_errors",
                                         "status_errors", "timeouts")),
            "proxy_core_busy": round(meter.busy_fraction(pc), 3),
            "load_core_busy": round(meter.busy_fraction(self.args.load_cpu), 3),
            "proxy_core_cpu_s": meter.busy_seconds(pc),
            "proxy_core_steal_s": meter.steal_seconds(pc),
            "proxy_core_us_per_req": meter.busy_seconds(pc) * 1e6 / reqs if reqs else None,
            "proxy_process_us_per_req": proc_cpu * 1e6 / reqs if reqs and pid else None,
            # The origin's own accept and request counters, minus the status read's own.
            "origin_new_connections": accepts1 - accepts0 - 1,
            "origin_requests": requests1 - requests0 - 1,
            "peak_rss_mib": mem["VmHWM"] / 1024 if "VmHWM" in mem else None,
            "rss_mib": mem["VmRSS"] / 1024 if "VmRSS" in mem else None,
            "wrk": w,
        }
        r["upstream_conns_per_1000_req"] = (
            r["origin_new_connections"] * 1000 / reqs if reqs else None)
        return r

    def run_rounds(self):
        runs = []
        if self.args.warmup:
            # Not recorded: first connections, page faults, pools and caches.
            for workload in self.args.workloads:
                for target in wl.targets_of(workload, self.args.targets):
                    self.run_once(workload, target, self.args.warmup)
        for rnd in range(self.args.rounds):
            for workload in self.args.workloads:
                for target in wl.targets_of(workload, self.args.targets):
                    proxy = self.proxy_of(workload, target)
                    if target != "direct" and not self.procs.alive(proxy):
                        print(f"  {target} is gone; skipping", file=sys.stderr)
                        continue
                    r = self.run_once(workload, target, self.args.duration)
                    r["round"] = rnd
                    runs.append(r)
                    if r.get("failed"):
                        print(f"  round {rnd} {workload:13} {target:8} wrk failed "
                              f"(exit {r['wrk_exit']})", file=sys.stderr)
                    else:
                        us = r["proxy_core_us_per_req"]
                        print(f"  round {rnd} {workload:13} {target:8} {r['rps']:9.0f} req/s"
                              f"  p99 {r['p99_ms']:7.2f} ms  core1 {r['proxy_core_busy']:.2f}"
                              f"  core0 {r['load_core_busy']:.2f}  {us or 0:6.1f} µs/req"
                              f"  errors {r['errors']}", file=sys.stderr)
                    time.sleep(self.args.pause)
        return runs

    # -- idle connections -----------------------------------------------------------------------

    def hold(self, target, connections):
        argv = [self.args.connhold, "--target", f"127.0.0.1:{self.ports[target]}",
                "--connections", str(connections), "--sources", str(self.args.idle_sources),
                "--concurrency", "64", "--path", "/64", "--timeout", "60"]
        return self.procs.start("connhold", pinned(self.args.load_cpu, argv),
                                stdout=subprocess.PIPE)

    def idle_connections(self, target):
        """RSS the proxy gains per idle kept-alive connection. On a fresh proxy process (so
        that memory freed after the load runs does not absorb the first connections), warmed
        by 64 connections (its upstream pool fills), connhold opens N connections (one GET
        each, then idle); RSS is read before and with all N held."""
        self.restart_proxy(target)
        warm = self.hold(target, 64)
        read_line(warm, 30)
        self.procs.stop(warm, timeout=10)
        time.sleep(self.args.idle_settle)
        pid = self.pids[target]
        before = memory_kib(pid).get("VmRSS")
        holder = self.hold(target, self.args.idle_connections)
        try:
            line = read_line(holder, 90)
            ready = json.loads(line) if line.startswith("{") else {}
            time.sleep(self.args.idle_settle)
            held = memory_kib(pid)
            self.procs.stop(holder, timeout=10)
            rest = holder.stdout.read().decode().strip().splitlines()
            done = json.loads(rest[-1]) if rest and rest[-1].startswith("{") else {}
        finally:
            if holder.poll() is None:
                self.procs.stop(holder, timeout=5)
        idle = ready.get("idle", 0)
        after = held.get("VmRSS")
        per_conn = ((after - before) * 1024 / idle) if idle and before and after else None
        # Let the proxy close the held connections before the next measurement.
        time.sleep(self.args.idle_settle)
        return {
            "target": target, "wanted": self.args.idle_connections, "idle": idle,
            "answered": ready.get("answered"), "errors": ready.get("connect_errors", 0) +
            ready.get("io_errors", 0) + ready.get("bad_responses", 0),
            "closed_by_peer_while_held": done.get("closed_by_peer"),
            "setup_seconds": ready.get("seconds"),
            "rss_before_mib": before / 1024 if before else None,
            "rss_held_mib": after / 1024 if after else None,
            "peak_rss_mib": held["VmHWM"] / 1024 if "VmHWM" in held else None,
            "bytes_per_idle_connection": per_conn, "holder": ready,
        }

    # -- TCP ------------------------------------------------------------------------------------

    def tcp(self):
        """The TCP proxy figures: e2e/tcp_bench.py with this run's settings."""
        out = os.path.join(self.workdir, "tcp_bench.json")
        argv = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "tcp_bench.py"),
                "--out", out, "--rounds", str(self.args.tcp_rounds),
                "--duration", str(self.args.tcp_duration), "--warmup", str(self.args.tcp_warmup),
                "--tests", self.args.tcp_tests,
                "--targets", ",".join(t for t in ("direct", "ringress", "haproxy")
                                      if t in self.args.targets),
                "--ringress", self.args.ringress, "--haproxy", self.args.haproxy,
                "--tcpload", os.path.join(self.args.build, "benchmarks", "tcpload"),
                "--tcpsink", os.path.join(self.args.build, "benchmarks", "tcpsink"),
                "--load-cpu", str(self.args.load_cpu), "--proxy-cpu", str(self.args.proxy_cpu)]
        budget = 60 + self.args.tcp_rounds * 4 * 3 * (self.args.tcp_duration + 1)
        log = os.path.join(self.workdir, "tcp_bench.log")
        # It pins its own children: give it back both CPUs (this driver is pinned to one).
        cpus = ",".join(map(str, self.args.all_cpus))
        with open(log, "wb") as err:
            text, code = run_bounded(self.procs, "tcp_bench", pinned(cpus, argv),
                                     timeout=budget, stderr=err)
        sys.stderr.write(tail(log, 200))
        if code != 0 or not os.path.exists(out):
            return {"failed": True, "exit": code, "output": (text + tail(log))[-3000:]}
        with open(out) as f:
            return json.load(f)


# ---------------------------------------------------------------------------------------------


def parse_args():
    build = os.path.join(REPO, "build", "release")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="3 rounds of 1 s, 6 workloads, 5000 idle connections (< 2 minutes)")
    mode.add_argument("--smoke", action="store_true",
                      help="1 short round of 3 workloads; exits 1 if any target gave no figure")
    p.add_argument("--build", default=build,
                   help="build directory of ringress and the benchmark tools (build/release)")
    p.add_argument("--ringress", help="default BUILD/app/ringress")
    p.add_argument("--connhold", help="default BUILD/benchmarks/connhold")
    p.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    p.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    p.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    p.add_argument("--rounds", type=int, help="default 5 (full), 3 (quick), 1 (smoke)")
    p.add_argument("--duration", type=int, help="whole seconds per wrk run; default 3, quick 1")
    p.add_argument("--warmup", type=int, help="seconds of an unrecorded first run per workload "
                   "and target (0: none); default 1, quick and smoke 0")
    p.add_argument("--pause", type=float, default=0.05, help="seconds between runs")
    p.add_argument("--workloads", help=f"comma-separated, from {', '.join(wl.WORKLOADS)}")
    p.add_argument("--targets", default=",".join(TARGETS), help="comma-separated subset")
    p.add_argument("--idle-connections", type=int,
                   help="idle keep-alive connections held per proxy (default 10000, quick "
                   "5000, smoke 50; 0 skips the test)")
    p.add_argument("--idle-sources", type=int, help="source addresses 127.0.0.1..N for them "
                   "(default 8; smoke 1, i.e. 127.0.0.1 only)")
    p.add_argument("--idle-settle", type=float, default=0.5,
                   help="seconds to wait before reading RSS with the connections held")
    p.add_argument("--no-tcp", action="store_true", help="skip the TCP proxy part")
    p.add_argument("--tcp-tests", default="throughput_up,throughput_down,connrate")
    p.add_argument("--ringress-runtime", action="append", default=[], metavar="LINE",
                   help="extra [runtime] line for ringress")
    p.add_argument("--haproxy-global", action="append", default=[], metavar="LINE",
                   help="extra global line for HAProxy")
    p.add_argument("--load-cpu", type=int, default=0)
    p.add_argument("--proxy-cpu", type=int, default=1)
    p.add_argument("--out", help="JSON file (default benchmarks/results/http_bench-<mode>-"
                   "<time>.json); the .md table and .png chart go next to it")
    p.add_argument("--no-chart", action="store_true")
    args = p.parse_args()
    args.ringress = args.ringress or os.path.join(args.build, "app", "ringress")
    args.connhold = args.connhold or os.path.join(args.build, "benchmarks", "connhold")
    args.mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    pick = {"full": (5, 3, 1), "quick": (3, 1, 0), "smoke": (1, 1, 0)}[args.mode]
    args.rounds = args.rounds or pick[0]
    args.duration = args.duration or pick[1]
    args.warmup = pick[2] if args.warmup is None else args.warmup
    default_workloads = (SMOKE_WORKLOADS if args.smoke else wl.QUICK_WORKLOADS if args.quick
                         else wl.DEFAULT_WORKLOADS)
    args.workloads = args.workloads.split(",") if args.workloads else default_workloads
    args.targets = [t for t in args.targets.split(",") if t]
    if args.idle_connections is None:
        args.idle_connections = {"full": 10000, "quick": 5000, "smoke": 50}[args.mode]
    if args.idle_sources is None:
        args.idle_sources = 1 if args.smoke else 8
    # TCP part: (rounds, seconds per run, warm-up seconds).
    args.tcp_rounds, args.tcp_duration, args.tcp_warmup = {
        "full": (5, 4.0, 0.5), "quick": (1, 1.0, 0.2), "smoke": (1, 0.5, 0.1)}[args.mode]
    if args.smoke:
        args.tcp_tests = "throughput_up,connrate"
    for w in args.workloads:
        if w not in wl.WORKLOADS:
            p.error(f"unknown workload {w}")
    for t in args.targets:
        if t not in TARGETS:
            p.error(f"unknown target {t}")
    return args


def check_setup(args):
    """Returns what is missing ('' when ready to run)."""
    needed = {"wrk": args.wrk, "nginx": args.nginx}
    if "ringress" in args.targets:
        needed["ringress"] = args.ringress
    if "haproxy" in args.targets:
        needed["haproxy"] = args.haproxy
    if args.idle_connections:
        needed["connhold"] = args.connhold
    missing = [f"{n} ({p})" for n, p in needed.items() if not os.access(p, os.X_OK)]
    if not shutil.which("taskset"):
        missing.append("taskset (util-linux)")
    if missing:
        return "missing: " + ", ".join(missing)
    return check_two_cpus(args.load_cpu, args.proxy_cpu)


def output_path(args):
    if args.out:
        return args.out
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join(REPO, "benchmarks", "results", f"http_bench-{args.mode}-{stamp}.json")


def draw_chart(json_path, png_path):
    """The chart needs matplotlib; Debian's python3-matplotlib lives under /usr/bin/python3."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "http_chart.py")
    for python in ("/usr/bin/python3", sys.executable):
        try:
            r = subprocess.run([python, script, json_path, png_path], capture_output=True,
                               text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return png_path
    print("no chart: python3-matplotlib is not installed (apt-get install python3-matplotlib)",
          file=sys.stderr)
    return None


def main():
    args = parse_args()
    problem = check_setup(args)
    if problem:
        print(f"http_bench: {problem}", file=sys.stderr)
        sys.exit(77 if args.smoke else 2)  # 77: ctest SKIP_RETURN_CODE
    exit_cleanly_on_signals()
    args.nofile = raise_nofile_limit()
    args.all_cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {args.load_cpu})  # the driver stays off the proxy core
    env = machine()
    for name, argv in (("nginx", [args.nginx, "-v"]), ("haproxy", [args.haproxy, "-v"]),
                       ("wrk", [args.wrk, "-v"])):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        env[name] = ((r.stdout or "") + (r.stderr or "")).strip().splitlines()[0]
    started = time.monotonic()
    procs = Processes()
    runs, idle, tcp, logs, exit_codes = [], [], None, {}, {}
    interrupted = None
    with tempfile.TemporaryDirectory(prefix="ringress-http-bench-") as workdir:
        bench = HttpBench(args, procs, workdir)
        try:
            bench.start()
            runs = bench.run_rounds()
            if args.idle_connections:
                for target in args.targets:
                    if target != "direct" and procs.alive(target):
                        idle.append(bench.idle_connections(target))
                        print(f"  idle {target:8} {idle[-1]['idle']} held, "
                              f"{idle[-1]['bytes_per_idle_connection'] or 0:.0f} B each",
                              file=sys.stderr)
        except (Interrupted, KeyboardInterrupt) as e:
            interrupted = str(e) or "interrupted"
        finally:
            logs = {t: tail(path) for t, path in bench.logs.items()}
            logs["origin"] = tail(bench.origin.error_log())
            exit_codes = procs.stop_all()
        if not interrupted and not args.no_tcp:
            try:
                tcp = bench.tcp()
            except (Interrupted, KeyboardInterrupt) as e:
                interrupted = str(e) or "interrupted"
            finally:
                procs.stop_all()
    if interrupted:
        sys.exit(f"http_bench: {interrupted}; every process it started was stopped")

    summary = http_report.summarize(runs, args.workloads, args.targets)
    env["loadavg_end"] = open("/proc/loadavg").read().strip()
    report = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"), "mode": args.mode,
        "settings": {k: v for k, v in vars(args).items()}, "environment": env,
        "workloads": {w: wl.WORKLOADS[w]["about"] for w in args.workloads},
        "elapsed_s": round(time.monotonic() - started, 1), "summary": summary, "idle": idle,
        "tcp": tcp, "runs": runs, "proxy_logs_tail": logs, "exit_codes": exit_codes,
    }
    table = http_report.markdown(report)
    report["markdown"] = table
    out = output_path(args)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(table + "\n")
    chart = None
    if not args.no_chart and not args.smoke:
        chart = draw_chart(out, os.path.splitext(out)[0] + ".png")
    print(table)
    print(f"\n{report['elapsed_s']} s; results in {os.path.relpath(out, os.getcwd())}"
          + (f", chart {os.path.relpath(chart, os.getcwd())}" if chart else ""))
    missing = http_report.missing_figures(report, args)
    if missing:
        print("MISSING FIGURES:\n  " + "\n  ".join(missing), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
