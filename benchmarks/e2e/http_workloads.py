"""The HTTP workloads of http_bench.py and how one wrk run of them is made and read.

A workload with "routes" runs against a second ringress process whose virtual host has that
many routes (http_configs.ringress_routes_config); "targets" limits the targets it runs against.

Every run is `wrk -t1 -c<connections> -d<seconds>s --latency -s <script> URL`: one wrk thread
(the load core is shared with the origin), and a Lua script that sets the method and body and
prints the exact totals as one JSON line at the end (wrk's own text rounds them).

The "tls_" workloads are HTTPS to the proxy (plain HTTP to the origin); https_bench.py runs
them against the proxies' TLS listeners.
"""

import json
import os

# name -> what wrk sends. Defaults: GET, keep-alive, 50 connections, http.
WORKLOADS = {
    "get_64": {"path": "/64", "connections": 50,
               "about": "GET, 64 B response, 50 keep-alive connections"},
    # The same request through a virtual host of 10,000 routes (the router micro-benchmark's
    # mix) whose last route is the one that matches: ringress only, next to its get_64 figure.
    "routes10k_64": {"path": "/64", "connections": 50, "routes": 10000, "targets": ["ringress"],
                     "about": "GET, 64 B response, 50 keep-alive connections, through a "
                     "10,000-route table whose last route matches (ringress only)"},
    "get_4k": {"path": "/4k", "connections": 50,
               "about": "GET, 4 KiB response, 50 keep-alive connections"},
    "get_64k": {"path": "/64k", "connections": 50,
                "about": "GET, 64 KiB response, 50 keep-alive connections"},
    "get_1m": {"path": "/1m", "connections": 50,
               "about": "GET, 1 MiB response, 50 keep-alive connections"},
    "close_64": {"path": "/64", "connections": 50, "close": True,
                 "about": "GET, 64 B, a new connection per request (Connection: close)"},
    "conns1000_64": {"path": "/64", "connections": 1000,
                     "about": "GET, 64 B response, 1000 keep-alive connections"},
    "post_64k": {"path": "/post", "connections": 50, "method": "POST", "body_bytes": 65536,
                 "about": "POST with a 64 KiB body, 64 B response, 50 keep-alive connections"},
    "post_64k_early": {"path": "/post-early", "connections": 50, "method": "POST",
                       "body_bytes": 65536,
                       "about": "POST with a 64 KiB body that the origin answers before it has "
                       "read the body (nginx `return`), 50 keep-alive connections"},
    "tls_get_64": {"path": "/64", "connections": 50, "scheme": "https",
                   "about": "HTTPS GET, 64 B response, 50 keep-alive connections"},
    "tls_get_64k": {"path": "/64k", "connections": 50, "scheme": "https",
                    "about": "HTTPS GET, 64 KiB response, 50 keep-alive connections (bulk "
                    "encryption)"},
    "tls_close_64": {"path": "/64", "connections": 50, "scheme": "https", "close": True,
                     "about": "HTTPS GET, 64 B, a new connection and a full handshake "
                     "(ECDSA P-256, X25519) per request"},
}
TLS_WORKLOADS = ["tls_get_64", "tls_get_64k", "tls_close_64"]
QUICK_WORKLOADS = ["get_64", "routes10k_64", "get_4k", "get_1m", "close_64", "conns1000_64",
                   "post_64k"]
DEFAULT_WORKLOADS = QUICK_WORKLOADS + ["post_64k_early"]

MARKER = "WRKJSON "


def targets_of(name, targets):
    """The targets of `targets` that workload `name` runs against (all, unless it names some)."""
    only = WORKLOADS[name].get("targets")
    return [t for t in targets if only is None or t in only]

_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    "MARKER", summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max))
end
"""


def write_script(workdir, name, spec):
    """The Lua script of workload `name`; returns its path."""
    lines = []
    if spec.get("method", "GET") != "GET":
        lines.append(f'wrk.method = "{spec["method"]}"')
    if spec.get("body_bytes"):
        lines.append(f'wrk.body = string.rep("b", {spec["body_bytes"]})')
        lines.append('wrk.headers["Content-Type"] = "application/octet-stream"')
    path = os.path.join(workdir, f"wrk-{name}.lua")
    with open(path, "w") as f:
        f.write("\n".join(lines) + _DONE.replace('"MARKER"', f'"{MARKER}"'))
    return path


def wrk_argv(wrk, script, spec, port, seconds, timeout_s=10):
    argv = [wrk, "-t1", f"-c{spec['connections']}", f"-d{int(seconds)}s", "--latency",
            f"--timeout", f"{timeout_s}s", "-s", script]
    if spec.get("close"):
        argv += ["-H", "Connection: close"]
    return argv + [f"{spec.get('scheme', 'http')}://127.0.0.1:{port}{spec['path']}"]


def parse_output(text):
    """The JSON totals line of a wrk run, or None when wrk printed none (it failed)."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    return None
