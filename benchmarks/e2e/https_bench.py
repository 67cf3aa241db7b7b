#!/usr/bin/env python3
"""HTTPS benchmark: ringress (wolfSSL) vs nginx and HAProxy (OpenSSL) terminating TLS, one command.

Same layout and method as http_bench.py (the proxy alone on core 1 with one worker; wrk, the
origin and this driver on core 0; interleaved rounds; medians), with TLS between wrk and the
proxy and plain HTTP from the proxy to the origin. For each cipher suite the three proxies are
configured to offer only that TLS 1.3 suite, with the same ECDSA P-256 certificate, X25519, and
no session resumption (no tickets, no session cache), so tls_close_64 is a full handshake per
request everywhere. Then, on fresh proxies with the first suite, the RSS each one gains per idle
TLS connection (--idle-tls connections held by this driver, one GET each).

    python3 benchmarks/e2e/https_bench.py --quick    # about 2 minutes
    python3 benchmarks/e2e/https_bench.py            # about 6 minutes
    python3 benchmarks/e2e/https_bench.py --smoke    # seconds; exit 1 if a figure is missing

Writes benchmarks/results/https_bench-<mode>-<time>.json and .md.
"""

import argparse
import datetime
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench  # noqa: E402
import http_configs  # noqa: E402
import http_report  # noqa: E402
import http_workloads as wl  # noqa: E402
from bench_common import (REPO, Interrupted, Processes, check_two_cpus,  # noqa: E402
                          exit_cleanly_on_signals, machine, memory_kib, ratio,
                          raise_nofile_limit, tail)

PROXIES = ["ringress", "nginx", "haproxy"]
# suite -> (wolfSSL name, OpenSSL name)
SUITES = {
    "aes128gcm": ("TLS13-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"),
    "chacha20": ("TLS13-CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256"),
}


def make_certificate(workdir):
    """A self-signed ECDSA P-256 certificate for 127.0.0.1; returns (cert, key, combined)."""
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days",
                    "2", "-subj", "/CN=bench.test", "-addext",
                    "subjectAltName=DNS:bench.test,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=30)
    combined = os.path.join(workdir, "combined.pem")  # HAProxy wants both in one file
    with open(combined, "w") as out:
        out.write(open(cert).read() + open(key).read())
    return cert, key, combined


class HttpsBench(http_bench.HttpBench):
    def __init__(self, args, procs, workdir, suite, files):
        super().__init__(args, procs, workdir)
        self.suite, self.files = suite, files

    def start_proxy(self, target):
        # The plain configs of http_bench.py, with the TLS listener put in.
        wolf, openssl = SUITES[self.suite]
        cert, key, combined = self.files
        original = (http_configs.ringress_config, http_configs.nginx_proxy_config,
                    http_configs.haproxy_config)

        def ringress(port, origin, extra=()):
            text = original[0](port, origin, extra)
            tls = (f'tls = {{ certificates = [{{ cert = "{cert}", key = "{key}" }}], '
                   f'ciphers = "{wolf}", curves = "X25519", session_tickets = false }}')
            return text.replace('protocol = "http"\n', f'protocol = "http"\n{tls}\n', 1)

        def nginx(workdir, port, origin, nofile):
            text = original[1](workdir, port, origin, nofile)
            ssl = (f"        ssl_certificate {cert};\n        ssl_certificate_key {key};\n"
                   f"        ssl_protocols TLSv1.2 TLSv1.3;\n"
                   f"        ssl_conf_command Ciphersuites {openssl};\n"
                   f"        ssl_ecdh_curve X25519;\n"
                   f"        ssl_session_tickets off;\n        ssl_session_cache off;\n")
            return text.replace(f"listen 127.0.0.1:{port} backlog=4096;\n",
                                f"listen 127.0.0.1:{port} ssl backlog=4096;\n{ssl}", 1)

        def haproxy(port, origin, maxconn, extra=()):
            extra = list(extra) + [f"ssl-default-bind-ciphersuites {openssl}",
                                   "ssl-default-bind-curves X25519", "tune.ssl.cachesize 0"]
            text = original[2](port, origin, maxconn, extra)
            return text.replace(f"bind 127.0.0.1:{port}\n",
                                f"bind 127.0.0.1:{port} ssl crt {combined} no-tls-tickets\n", 1
                                ).replace("X-Forwarded-Proto http", "X-Forwarded-Proto https")

        http_configs.ringress_config, http_configs.nginx_proxy_config, \
            http_configs.haproxy_config = ringress, nginx, haproxy
        try:
            super().start_proxy(target)
        finally:
            http_configs.ringress_config, http_configs.nginx_proxy_config, \
                http_configs.haproxy_config = original

    # -- idle TLS connections -------------------------------------------------------------------

    def open_tls(self, target):
        """A TLS connection to the proxy that has had one GET /64 answered, or None."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        try:
            raw = socket.create_connection(("127.0.0.1", self.ports[target]), timeout=10)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = ctx.wrap_socket(raw, server_hostname="bench.test")
            conn.sendall(b"GET /64 HTTP/1.1\r\nHost: bench.test\r\n\r\n")
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = conn.recv(4096)
                if not chunk:
                    raise OSError("closed before the response head")
                got += chunk
            head, _, body = got.partition(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            while len(body) < length:
                chunk = conn.recv(4096)
                if not chunk:
                    raise OSError("closed before the response body")
                body += chunk
            return conn
        except (OSError, StopIteration, ValueError):
            return None

    def idle_tls(self, target, count):
        """RSS the proxy gains per idle TLS connection: on a fresh proxy warmed by 64
        connections, RSS before and with `count` connections held (one GET each, then idle)."""
        self.restart_proxy(target)
        for conn in [self.open_tls(target) for _ in range(64)]:
            if conn:
                conn.close()
        time.sleep(self.args.idle_settle)
        pid = self.pids[target]
        before = memory_kib(pid).get("VmRSS")
        started = time.monotonic()
        held, failed = [], 0
        while len(held) < count and failed < 20:  # a proxy that stops accepting ends it
            conn = self.open_tls(target)
            if conn:
                held.append(conn)
            else:
                failed += 1
        setup = time.monotonic() - started
        time.sleep(self.args.idle_settle)
        after = memory_kib(pid).get("VmRSS")
        for conn in held:
            conn.close()
        per_conn = (after - before) / len(held) if held and before and after else None
        return {"target": target, "wanted": count, "idle": len(held),
                "setup_seconds": round(setup, 2), "rss_before_mib": before / 1024,
                "rss_held_mib": after / 1024, "kib_per_idle_connection": per_conn}


def parse_args():
    build = os.path.join(REPO, "build", "release")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="3 rounds of 1 s per suite")
    mode.add_argument("--smoke", action="store_true", help="1 short round, one suite")
    p.add_argument("--build", default=build)
    p.add_argument("--ringress")
    p.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    p.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    p.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    p.add_argument("--rounds", type=int)
    p.add_argument("--duration", type=int)
    p.add_argument("--suites", help=f"comma-separated, from {', '.join(SUITES)}")
    p.add_argument("--workloads", help=f"comma-separated, from {', '.join(wl.TLS_WORKLOADS)}")
    p.add_argument("--targets", default=",".join(PROXIES))
    p.add_argument("--idle-tls", type=int,
                   help="idle TLS connections held per proxy for the RSS figure (default 2000, "
                        "smoke 50; 0: skip)")
    p.add_argument("--idle-settle", type=float, default=0.5,
                   help="seconds to let RSS settle before reading it")
    p.add_argument("--load-cpu", type=int, default=0)
    p.add_argument("--proxy-cpu", type=int, default=1)
    p.add_argument("--out")
    args = p.parse_args()
    args.ringress = args.ringress or os.path.join(args.build, "app", "ringress")
    args.mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    rounds, duration, warmup = {"full": (5, 3, 1), "quick": (3, 1, 0), "smoke": (1, 1, 0)}[
        args.mode]
    args.rounds, args.duration = args.rounds or rounds, args.duration or duration
    args.warmup, args.pause = warmup, 0.05
    args.suites = (args.suites.split(",") if args.suites else
                   ["aes128gcm"] if args.smoke else list(SUITES))
    args.workloads = args.workloads.split(",") if args.workloads else wl.TLS_WORKLOADS
    args.targets = [t for t in args.targets.split(",") if t]
    if args.idle_tls is None:
        args.idle_tls = 50 if args.smoke else 2000
    # What HttpBench reads but this benchmark does not use.
    args.ringress_runtime, args.haproxy_global = [], []
    args.idle_connections = args.idle_tls  # HAProxy's maxconn is this + 500
    for s in args.suites:
        if s not in SUITES:
            p.error(f"unknown suite {s}")
    return args


def wolfssl_in_use(binary):
    """Which libwolfssl the ringress binary loads (its RPATH, or LD_LIBRARY_PATH) and how it
    was built: scripts/build_wolfssl.sh's prefix (AES-NI) or Debian's package."""
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    path = next((line.split("=>")[1].split("(")[0].strip() for line in ldd.splitlines()
                 if "libwolfssl" in line and "=>" in line), "")
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libwolfssl-dev"],
                             capture_output=True, text=True).stdout.strip()
    info = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(path or "/"))),
                        "BUILD-INFO")
    if path and os.path.exists(info):
        return f"wolfSSL {version} built by scripts/build_wolfssl.sh (AES-NI), {path}"
    return f"wolfSSL {version}, Debian's build (no AES-NI), {path or 'not found'}"


def markdown(report):
    s = report["settings"]
    env = report["environment"]
    out = [f"HTTPS, {report['when']}, mode {report['mode']}: {s['rounds']} rounds x "
           f"{s['duration']} s per workload, suite and target; {env.get('cpu_model')}; "
           f"ringress {env.get('wolfssl')}, nginx and HAProxy with {env.get('openssl')}.", ""]
    for suite in s["suites"]:
        summary = report["summary"][suite]
        out += [f"TLS 1.3 {SUITES[suite][1]}:", "",
                "| workload | target | req/s | p99 ms | proxy core µs/req | peak RSS MiB "
                "| errors |", "|---|---|---|---|---|---|---|"]
        for w in s["workloads"]:
            for t in s["targets"]:
                x = summary.get(f"{w}/{t}")
                if not x:
                    continue
                g = lambda k, d: f"{x[k]['median']:.{d}f}" if x.get(k) else "-"  # noqa: E731
                out.append(f"| {w} | {t} | {g('rps', 0)} | {g('p99_ms', 2)} | "
                           f"{g('proxy_core_us_per_req', 1)} | {g('peak_rss_mib', 1)} | "
                           f"{x['errors']} |")
        # Core time counts everything on the proxy's core; process time only the proxy's own
        # (the figure to read when other work shares the machine).
        out += ["", "| workload | core µs/req ringress/nginx | core µs/req ringress/HAProxy "
                "| process µs/req ringress/nginx | process µs/req ringress/HAProxy "
                "| req/s ringress/nginx |", "|---|---|---|---|---|---|"]
        for w in s["workloads"]:
            r, n, h = (summary.get(f"{w}/{t}") or {} for t in PROXIES)
            k, q = "proxy_core_us_per_req", "proxy_process_us_per_req"
            out.append(f"| {w} | {ratio(r.get(k), n.get(k))} | {ratio(r.get(k), h.get(k))} | "
                       f"{ratio(r.get(q), n.get(q))} | {ratio(r.get(q), h.get(q))} | "
                       f"{ratio(r.get('rps'), n.get('rps'))} |")
        out.append("")
    idle = {x["target"]: x for x in report.get("idle_tls", [])}
    if idle:
        k = "kib_per_idle_connection"
        g = lambda t: (f"{idle[t][k]:.1f}" if idle.get(t, {}).get(k) is not None  # noqa: E731
                       else "-")
        r, n, h = (idle.get(t, {}).get(k) for t in PROXIES)
        div = lambda a, b: f"{a / b:.2f}" if a is not None and b else "-"  # noqa: E731
        held = ", ".join(f"{t} {x['idle']}" for t, x in idle.items())
        out += [f"Idle TLS connections (TLS 1.3 {SUITES[s['suites'][0]][1]}; held: {held}):", "",
                "| RSS per idle TLS connection | ringress | nginx | HAProxy "
                "| ringress/nginx | ringress/HAProxy |", "|---|---|---|---|---|---|",
                f"| KiB | {g('ringress')} | {g('nginx')} | {g('haproxy')} | {div(r, n)} "
                f"| {div(r, h)} |", ""]
    return "\n".join(out)


def main():
    args = parse_args()
    missing = [n for n, p in (("wrk", args.wrk), ("nginx", args.nginx), ("ringress",
               args.ringress), ("haproxy", args.haproxy)) if not os.access(p, os.X_OK)]
    problem = ("missing: " + ", ".join(missing)) if missing else check_two_cpus(args.load_cpu,
                                                                                args.proxy_cpu)
    if problem:
        print(f"https_bench: {problem}", file=sys.stderr)
        sys.exit(77 if args.smoke else 2)
    exit_cleanly_on_signals()
    args.nofile = raise_nofile_limit()
    os.sched_setaffinity(0, {args.load_cpu})
    env = machine()
    env["openssl"] = subprocess.run(["openssl", "version"], capture_output=True,
                                    text=True).stdout.strip()
    env["wolfssl"] = wolfssl_in_use(args.ringress)
    started = time.monotonic()
    procs = Processes()
    runs, summary, logs, idle = [], {}, {}, []
    with tempfile.TemporaryDirectory(prefix="ringress-https-bench-") as workdir:
        files = make_certificate(workdir)
        try:
            for suite in args.suites:
                print(f"suite {suite}", file=sys.stderr)
                bench = HttpsBench(args, procs, workdir, suite, files)
                try:
                    bench.start()
                    suite_runs = bench.run_rounds()
                finally:
                    logs[suite] = {t: tail(p) for t, p in bench.logs.items()}
                    procs.stop_all()
                for r in suite_runs:
                    r["suite"] = suite
                runs += suite_runs
                summary[suite] = http_report.summarize(suite_runs, args.workloads, args.targets)
                if args.idle_tls and suite == args.suites[0]:
                    bench.start()
                    try:
                        for target in args.targets:
                            idle.append(bench.idle_tls(target, args.idle_tls))
                            x = idle[-1]
                            print(f"  idle TLS {target:8} {x['idle']} held, "
                                  f"{x['kib_per_idle_connection'] or 0:.1f} KiB each",
                                  file=sys.stderr)
                    finally:
                        procs.stop_all()
        except (Interrupted, KeyboardInterrupt) as e:
            procs.stop_all()
            sys.exit(f"https_bench: {e or 'interrupted'}; every process it started was stopped")
    report = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "mode": args.mode,
              "settings": dict(vars(args)), "environment": env,
              "workloads": {w: wl.WORKLOADS[w]["about"] for w in args.workloads},
              "elapsed_s": round(time.monotonic() - started, 1), "summary": summary,
              "idle_tls": idle, "runs": runs, "proxy_logs_tail": logs}
    table = markdown(report)
    report["markdown"] = table
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or os.path.join(REPO, "benchmarks", "results",
                                   f"https_bench-{args.mode}-{stamp}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(table + "\n")
    print(table)
    print(f"\n{report['elapsed_s']} s; results in {os.path.relpath(out, os.getcwd())}")
    bad = [f"{suite}/{k}" for suite, s in summary.items() for k, v in s.items()
           if not v["requests"] or not v.get("proxy_core_us_per_req")]
    expected = len(args.suites) * len(args.workloads) * len(args.targets)
    if bad or sum(len(s) for s in summary.values()) < expected:
        print("MISSING FIGURES: " + ", ".join(bad or ["some target gave no run"]),
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
