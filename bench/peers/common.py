"""What the Python contenders share: the inputs (the same pseudo-random
keys and rows as bench/main.c), URL handling, memory, and the result line
scripts/bench parses."""
import os
import sys
import time
from urllib.parse import urlparse, unquote

AUTHORS = 10000
NAMES = 500
ASSOC_AUTHORS = 100
MASK = (1 << 64) - 1


class Input:
    def __init__(self, n):
        s = 0x9E3779B97F4A7C15

        def rand():
            nonlocal s
            s ^= (s << 13) & MASK
            s ^= s >> 7
            s ^= (s << 17) & MASK
            return s

        self.n = n
        self.ids = [rand() % AUTHORS + 1 for _ in range(n)]
        self.names = []
        self.rows = []
        for i in range(n):
            self.names.append("name%d" % (rand() % NAMES))
            self.rows.append((i + 1, "name%d" % (i % NAMES), "scratch%d@example.com" % (i + 1)))
        self.per_request = 20
        self.requests = n // 20


def vm_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return -1


def parse(url):
    """(engine, parts) from a corm URL."""
    if url.startswith("sqlite:"):
        path = url[len("sqlite:"):]
        if path.startswith("//"):
            path = path[2:]
        return "sqlite", {"path": path}
    u = urlparse(url)
    engine = "pg" if u.scheme.startswith("postgres") else "mysql"
    return engine, {"user": unquote(u.username or ""), "password": unquote(u.password or ""),
                    "host": u.hostname or "127.0.0.1", "port": u.port,
                    "db": u.path.lstrip("/")}


def sum_author(a):
    return a.id + len(a.name) + len(a.email) + (len(a.bio) if a.bio is not None else 0)


def run(impl, workload, n):
    """Time impl.<workload>(input) and print the result line."""
    inp = Input(n)
    fn = getattr(impl, workload, None)
    if fn is None:
        print("unsupported %s has no %s" % (impl.NAME, workload))
        sys.exit(3)
    if workload.startswith("insert"):
        impl.clear_scratch()
    impl.warm()
    hwm0 = vm_kib("VmHWM:")
    t0 = time.perf_counter()
    total = fn(inp)
    t1 = time.perf_counter()
    hwm = vm_kib("VmHWM:")
    print("result seconds=%.6f rss_kib=%d hwm_growth_kib=%d sum=%d"
          % (t1 - t0, hwm, hwm - hwm0, total))
