"""What the end-to-end harnesses share: child processes stopped by PID, CPU and memory accounting
from /proc, port helpers, and the median [min-max] summaries.

Standard library only (the harnesses run with any python3; only the chart needs matplotlib).
"""

import ctypes
import os
import platform
import select
import signal
import socket
import statistics
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HZ = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    # Runs in the child between fork and exec: if the harness dies (even by SIGKILL), the kernel
    # kills the child too, so nothing outlives a killed benchmark. Survives taskset's exec.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Interrupted(Exception):
    """SIGTERM / SIGHUP turned into an exception, so `finally` blocks stop the children."""


def exit_cleanly_on_signals():
    def handler(signum, _frame):
        raise Interrupted(f"signal {signum}")

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


# ---------------------------------------------------------------------------------------------
# Processes: every process started here is recorded and stopped by PID (never by name).


class Processes:
    def __init__(self):
        self.started = []  # (name, Popen)

    def start(self, name, argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=None):
        proc = subprocess.Popen(argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                env=env, preexec_fn=_die_with_parent)
        self.started.append((name, proc))
        return proc

    def forget(self, proc):
        self.started = [(n, p) for n, p in self.started if p is not proc]

    def stop(self, proc, timeout=5.0):
        """SIGTERM, wait up to `timeout` s, then SIGKILL; returns the exit code."""
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.forget(proc)
        return proc.returncode

    def stop_all(self, timeout=5.0):
        """Stops every process still recorded, last started first; returns {name: exit code}."""
        codes = {}
        for name, proc in list(reversed(self.started)):
            codes[name] = self.stop(proc, timeout)
        self.started = []
        return codes

    def alive(self, name):
        procs = [p for n, p in self.started if n == name]
        return bool(procs) and all(p.poll() is None for p in procs)


def run_bounded(procs, name, argv, timeout, env=None, stderr=subprocess.DEVNULL):
    """Runs a short-lived child to completion (killed after `timeout` s); returns its stdout."""
    proc = procs.start(name, argv, stdout=subprocess.PIPE, stderr=stderr, env=env)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        procs.forget(proc)
    return out.decode(errors="replace"), proc.returncode


def read_line(proc, timeout):
    """One line of a child's stdout pipe, waiting at most `timeout` seconds."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().decode().strip() if ready else ""


def pinned(cpu, argv):
    return ["taskset", "-c", str(cpu)] + argv


def wait_listening(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def raise_nofile_limit():
    """Soft RLIMIT_NOFILE up to the hard limit, for this process and every child it starts."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def tail(path, lines=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# CPU and memory accounting.


def cpu_jiffies():
    """{cpu: (busy, total, steal)} from /proc/stat; busy = user+nice+system+irq+softirq+steal."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if not line.startswith("cpu") or line.startswith("cpu "):
                continue
            name, *vals = line.split()
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, vals[:8])
            busy = user + nice + system + irq + softirq + steal
            out[int(name[3:])] = (busy, busy + idle + iowait, steal)
    return out


class CoreMeter:
    """Busy seconds and busy fraction of each CPU between start() and stop()."""

    def start(self):
        self.before = cpu_jiffies()
        return self

    def stop(self):
        self.after = cpu_jiffies()
        return self

    def busy_seconds(self, cpu):
        return (self.after[cpu][0] - self.before[cpu][0]) / HZ

    def busy_fraction(self, cpu):
        total = self.after[cpu][1] - self.before[cpu][1]
        return (self.after[cpu][0] - self.before[cpu][0]) / total if total else 0.0

    def steal_seconds(self, cpu):
        return (self.after[cpu][2] - self.before[cpu][2]) / HZ


def process_cpu_seconds(pid):
    """utime + stime of a whole process (all its threads, io_uring workers included)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    except OSError:
        return float("nan")


def memory_kib(pid):
    """{'VmRSS': KiB, 'VmHWM': KiB} of a process (VmHWM = peak resident set)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0); False when not permitted."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def time_wait_sockets():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                parts = line.split()
                return int(parts[parts.index("tw") + 1])
    return -1


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine():
    model = ""
    for line in command_output(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return {
        "cpu_model": model, "kernel": platform.release(), "cpus": os.cpu_count(),
        "ringress_git": command_output(
            ["git", "-C", REPO, "describe", "--always", "--dirty"]).strip(),
        "loadavg_start": open("/proc/loadavg").read().strip(),
    }


def check_two_cpus(load_cpu, proxy_cpu):
    cpus = os.sched_getaffinity(0)
    if load_cpu not in cpus or proxy_cpu not in cpus or load_cpu == proxy_cpu:
        return f"need two distinct usable CPUs (have {sorted(cpus)})"
    return ""


# ---------------------------------------------------------------------------------------------
# Summaries.


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def fmt(s, digits=0):
    if not s:
        return "-"
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}–{s['max']:.{digits}f}]"


def ratio(a, b):
    if not a or not b or not b["median"]:
        return "-"
    return f"{a['median'] / b['median']:.2f}"
