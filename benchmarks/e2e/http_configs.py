"""Configs for the HTTP benchmark: the nginx origin and the three proxies under test, made as
equivalent as their knobs allow (see benchmarks/README.md, "What is equivalent").

`python3 benchmarks/e2e/http_configs.py --routes 10000 [--port P] [--origin-port O]` prints the
ringress config of the routes10k_64 workload (to time its load: `ringress -c FILE --validate`).

All three proxies:
- one worker thread/process, pinned by the harness;
- keep-alive on both sides, no limit on requests per connection, up to 1024 idle upstream
  connections kept (more than the 1000 concurrent clients of the largest workload) for 60 s;
- HTTP/1.1 upstream, the client's Host passed on, X-Forwarded-For and X-Forwarded-Proto added
  (ringress always adds them), no request id, no access log, no Via;
- request and response bodies streamed in memory (nginx buffers them in memory, never on disk).
"""

import argparse
import os

POOL_IDLE = 1024
POOL_IDLE_TIMEOUT_S = 60
# Fixed responses of the origin: path -> size.
ORIGIN_FILES = {"64": 64, "4k": 4096, "64k": 65536, "1m": 1 << 20}
POST_REPLY = "x" * 64


def write_origin_files(root):
    os.makedirs(root, exist_ok=True)
    for name, size in ORIGIN_FILES.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write((b"0123456789abcdef" * (size // 16 + 1))[:size])


def _nginx_common(workdir, name, nofile):
    """Main-context lines of a non-daemon, single-process nginx living in `workdir`."""
    tmp = os.path.join(workdir, f"{name}-tmp")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(tmp, sub), exist_ok=True)
    head = f"""daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile {nofile};
pid {workdir}/{name}.pid;
error_log {workdir}/{name}-error.log warn;
events {{
    worker_connections {nofile - 100};
    multi_accept on;
}}
"""
    temp_paths = f"""    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
"""
    return head, temp_paths


def origin_nginx_config(workdir, port, status_port, root, nofile):
    """The origin: static files (sendfile) and a fixed reply to POST /post; stub_status on its
    own port counts accepted connections (new upstream connections of the proxy under test)."""
    head, temp_paths = _nginx_common(workdir, "origin", nofile)
    return head + f"""http {{
{temp_paths}    access_log off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    etag off;
    keepalive_timeout 300s;
    keepalive_requests 100000000;
    client_max_body_size 16m;
    client_body_buffer_size 128k;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root};
        # POST /post: the whole request body is read first (mirror_request_body makes nginx
        # read it before the content phase; the mirror subrequest itself is answered
        # internally), then the 64-byte file is the answer (the static module answers a POST
        # with 405, which error_page turns into a 200 GET of /64).
        location = /post {{
            mirror /mirror-sink;
            mirror_request_body on;
            try_files /64 =404;
            error_page 405 =200 /64;
        }}
        location = /mirror-sink {{
            internal;
            return 204;
        }}
        # POST /post-early: the answer goes out at once and nginx discards the body as it
        # comes (what an origin that rejects or ignores a body early does).
        location = /post-early {{
            return 200 "{POST_REPLY}";
        }}
    }}
    server {{
        listen 127.0.0.1:{status_port};
        location / {{
            stub_status;
        }}
    }}
}}
"""


def nginx_proxy_config(workdir, port, origin_port, nofile):
    head, temp_paths = _nginx_common(workdir, "nginx-proxy", nofile)
    return head + f"""http {{
{temp_paths}    access_log off;
    keepalive_timeout 300s;
    keepalive_requests 100000000;
    client_max_body_size 16m;
    # Keep the 64 KiB request bodies in memory (nginx buffers request bodies by default and
    # would write them to a temp file above 16 KiB).
    client_body_buffer_size 128k;
    upstream origin {{
        server 127.0.0.1:{origin_port};
        keepalive {POOL_IDLE};
        keepalive_requests 100000000;
        keepalive_timeout {POOL_IDLE_TIMEOUT_S}s;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Response buffering stays on (the default), in memory only: never a temp file.
            proxy_max_temp_file_size 0;
        }}
    }}
}}
"""


def haproxy_config(port, origin_port, maxconn, global_extra=()):
    extra = "".join(f"    {line}\n" for line in global_extra)
    # maxconn is above 10 000 for the idle-connection test; HAProxy then wants about twice that
    # many descriptors and would refuse to start (strict-limits) under a 20 000 hard limit,
    # although holding idle client connections needs only one descriptor each.
    return f"""global
    nbthread 1
    maxconn {maxconn}
    no strict-limits
{extra}
defaults
    mode http
    maxconn {maxconn}
    option http-keep-alive
    http-reuse always
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-request 10s
    timeout http-keep-alive 300s

frontend f_http
    bind 127.0.0.1:{port}
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    default_backend b_origin

backend b_origin
    server s1 127.0.0.1:{origin_port} pool-max-conn {POOL_IDLE} \
        pool-purge-delay {POOL_IDLE_TIMEOUT_S}s
"""


def ringress_config(port, origin_port, runtime_extra=()):
    runtime = ["workers = 1", 'log_level = "warn"'] + list(runtime_extra)
    return "[runtime]\n" + "\n".join(runtime) + f"""

[[listeners]]
name = "bench"
address = "127.0.0.1:{port}"
protocol = "http"
idle_timeout = "300s"
generate_request_id = false

[[listeners.virtual_hosts]]
name = "all"
domains = ["*"]
routes = [{{ prefix = "/", cluster = "origin" }}]

[[clusters]]
name = "origin"
endpoints = ["127.0.0.1:{origin_port}"]
max_idle_per_host = {POOL_IDLE}
idle_timeout = "{POOL_IDLE_TIMEOUT_S}s"
max_requests_per_connection = 0
"""


def route_table(routes):
    """`routes` routes in the mix of the router micro-benchmark (a quarter each prefix, exact,
    regex, prefix + header matcher), none of which matches GET /64, then `prefix = "/"`: a
    request for /64 takes the last route. As TOML lines of an inline array."""
    lines = []
    for i in range(routes - 1):
        kind = i % 4
        if kind == 0:
            match = f'prefix = "/svc{i}/"'
        elif kind == 1:
            match = f'exact = "/exact/{i}"'
        elif kind == 2:
            match = f'regex = "/re{i}/[0-9]+"'
        else:
            match = f'prefix = "/hdr{i}/", headers = [{{ name = "x-tenant", exact = "t{i}" }}]'
        lines.append(f'  {{ {match}, cluster = "origin" }},')
    lines.append('  { prefix = "/", cluster = "origin" },')
    return "\n".join(lines)


def ringress_routes_config(port, origin_port, routes, runtime_extra=()):
    """ringress_config with a virtual host of `routes` routes whose last one matches."""
    text = ringress_config(port, origin_port, runtime_extra)
    single = 'routes = [{ prefix = "/", cluster = "origin" }]'
    assert single in text
    return text.replace(single, "routes = [\n" + route_table(routes) + "\n]", 1)


if __name__ == "__main__":
    cli = argparse.ArgumentParser(description="print the ringress config of a routes workload")
    cli.add_argument("--routes", type=int, default=10000)
    cli.add_argument("--port", type=int, default=8080)
    cli.add_argument("--origin-port", type=int, default=8081)
    a = cli.parse_args()
    print(ringress_routes_config(a.port, a.origin_port, a.routes), end="")
