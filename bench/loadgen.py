#!/usr/bin/env python3
"""Load generator of bench/load.sh and bench/soak.sh (not a test: it prints figures). Standard library only.

Every upload is a PNG signature, one shared block of random bytes and a 32-byte nonce of its own, so each has
distinct bytes while the client hashes only the nonce per upload (the hash of the shared prefix is computed
once and copied). The sha256 the service answers must equal the one sent. Downloads go through signed URLs
(GET /api/v1/uploads/{id}/url) of seed objects uploaded first, with a random Range each; the answer must be
206 with the matching Content-Range, and its bytes equal to that slice of the seed.

  load: closed loop. UPLOADERS threads upload then DELETE, DOWNLOADERS threads read ranges, for DURATION s.
  soak: open loop at fixed rates (uploads of mixed sizes, metadata reads, signed URLs, ranged downloads,
        listings, deletes, 404s); every REPORT s, after `jcmd PID GC.run`, a row of RSS, heap after GC, FDs and
        threads of the service, and the period's operations, errors and latencies.

Writes a summary as JSON to --json; prints the table to standard output; errors (the first 5 of each operation in full) to stderr.
"""
import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse

PNG = b"\x89PNG\r\n\x1a\n"
MIB = 1024 * 1024


class Body:
    """One object's bytes: PNG signature + shared block + nonce, without copying the shared block."""

    def __init__(self, prefix, prefix_hash, nonce):
        self.prefix = prefix  # memoryview of PNG + shared block
        self.nonce = nonce
        h = prefix_hash.copy()
        h.update(nonce)
        self.sha256 = h.hexdigest()
        self.size = len(prefix) + len(nonce)

    def slice(self, first, last):
        """Bytes first..last (inclusive), as a bytes-like object."""
        n = len(self.prefix)
        if last < n:
            return self.prefix[first:last + 1]
        head = bytes(self.prefix[first:]) if first < n else b""
        return head + self.nonce[max(0, first - n):last - n + 1]


class Blocks:
    """Shared random blocks by size (one per size), and their prefix hashes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.blocks = {}

    def body(self, size):
        with self.lock:
            if size not in self.blocks:
                prefix = PNG + os.urandom(size - len(PNG) - 32)
                self.blocks[size] = (memoryview(prefix), hashlib.sha256(prefix))
            prefix, h = self.blocks[size]
        return Body(prefix, h, os.urandom(32))


class Stats:
    """Latencies (seconds), bytes and errors per operation; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.lat = {}
        self.bytes = {}
        self.errors = {}
        self.printed = {}

    def ok(self, op, secs, nbytes=0):
        with self.lock:
            self.lat.setdefault(op, []).append(secs)
            self.bytes[op] = self.bytes.get(op, 0) + nbytes

    def error(self, op, what):
        with self.lock:
            self.errors.setdefault(op, []).append(what)
            self.printed[op] = n = self.printed.get(op, 0) + 1
        if n <= 5:  # the first few of each operation in full; all are counted
            print(f"ERROR {op}: {what}", file=sys.stderr, flush=True)

    def take(self):
        """The figures so far, and a fresh start (soak periods)."""
        with self.lock:
            out = (self.lat, self.bytes, self.errors)
            self.lat, self.bytes, self.errors = {}, {}, {}
        return out


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


class Client:
    """Keep-alive HTTP connections of one thread, by host:port."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.conns = {}
        self.sent_at = 0.0  # when the last request's body was handed to the socket

    def conn(self, netloc):
        c = self.conns.get(netloc)
        if c is None:
            host, port = netloc.rsplit(":", 1)
            c = self.conns[netloc] = http.client.HTTPConnection(host, int(port), timeout=self.timeout)
        return c

    def drop(self, netloc):
        c = self.conns.pop(netloc, None)
        if c is not None:
            c.close()

    def request(self, method, url, headers=None, parts=None):
        """status, headers, body of one request (parts: the body's pieces, sent without copying)."""
        u = urllib.parse.urlsplit(url)
        netloc = u.netloc
        path = u.path + ("?" + u.query if u.query else "")
        c = self.conn(netloc)
        try:
            c.putrequest(method, path, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                c.putheader(k, v)
            if parts is not None:
                c.putheader("Content-Length", str(sum(len(p) for p in parts)))
            c.endheaders()
            for p in parts or ():
                c.send(p)
            self.sent_at = time.monotonic()
            r = c.getresponse()
            body = r.read()
            if r.will_close:
                self.drop(netloc)
            return r.status, r.headers, body
        except BaseException:
            self.drop(netloc)
            raise


class Service:
    def __init__(self, base, tokens, stats, blocks, timeout):
        self.base = base.rstrip("/")
        self.tokens = tokens
        self.stats = stats
        self.blocks = blocks
        self.timeout = timeout
        self.local = threading.local()
        self.next_user = 0
        self.lock = threading.Lock()

    def client(self):
        c = getattr(self.local, "client", None)
        if c is None:
            c = self.local.client = Client(self.timeout)
        return c

    def auth(self, user):
        return {"Authorization": "Bearer " + self.tokens[user]}

    def call(self, op, method, url, expect, headers=None, parts=None):
        """One timed request; records an error and returns None unless the status is `expect`."""
        t0 = time.monotonic()
        try:
            status, hdrs, body = self.client().request(method, url, headers, parts)
        except Exception as e:  # connection reset, timeout, ...
            self.stats.error(op, f"{type(e).__name__}: {e}")
            return None
        secs = time.monotonic() - t0
        if status != expect:
            self.stats.error(op, f"HTTP {status} (expected {expect}): {body[:300]!r}")
            return None
        return secs, hdrs, body

    def upload(self, user, size, op="upload"):
        """Uploads a fresh body; checks the sha256 answered. Returns (upload_id, Body) or None."""
        b = self.blocks.body(size)
        r = self.call(op, "POST", f"{self.base}/api/v1/uploads?filename=bench.png", 201,
                      dict(self.auth(user), **{"Content-Type": "image/png"}), [b.prefix, b.nonce])
        if r is None:
            return None
        secs, _, body = r
        # where an upload's time goes: sending the body (the service reads it as fast as it stores it), then
        # waiting for the answer once all of it is sent (fsync and rename, or S3's last part and completion)
        wait = time.monotonic() - self.client().sent_at
        self.stats.ok(op + ":send", secs - wait)
        self.stats.ok(op + ":wait", wait)
        meta = json.loads(body)
        if meta.get("sha256") != b.sha256:
            self.stats.error(op, f"sha256 answered {meta.get('sha256')} != sent {b.sha256}")
            return None
        if meta.get("size_bytes", b.size) != b.size:
            self.stats.error(op, f"size answered {meta.get('size_bytes')} != sent {b.size}")
            return None
        self.stats.ok(op, secs, b.size)
        return meta["upload_id"], b

    def delete(self, user, upload_id):
        r = self.call("delete", "DELETE", f"{self.base}/api/v1/uploads/{upload_id}", 204, self.auth(user))
        if r is not None:
            self.stats.ok("delete", r[0])

    def signed_url(self, user, upload_id):
        r = self.call("url", "GET", f"{self.base}/api/v1/uploads/{upload_id}/url", 200, self.auth(user))
        if r is None:
            return None
        self.stats.ok("url", r[0])
        return json.loads(r[2])["url"]

    def metadata(self, user, upload_id):
        r = self.call("metadata", "GET", f"{self.base}/api/v1/uploads/{upload_id}", 200, self.auth(user))
        if r is not None:
            self.stats.ok("metadata", r[0])

    def listing(self, user):
        r = self.call("list", "GET", f"{self.base}/api/v1/uploads?limit=20", 200, self.auth(user))
        if r is not None:
            self.stats.ok("list", r[0])

    def missing(self, user):
        r = self.call("404", "GET", f"{self.base}/api/v1/uploads/upload_20260101_nothinghere0", 404, self.auth(user))
        if r is not None:
            self.stats.ok("404", r[0])

    def ranged(self, seed, rng, max_range):
        """One signed GET of a random Range of seed (url, Body); checks status, Content-Range and bytes."""
        url, b = seed
        size = b.size
        kind = rng.random()
        if kind < 0.7:  # bytes=a-b
            first = rng.randrange(size)
            last = min(size - 1, first + rng.randrange(max_range))
            spec = f"{first}-{last}"
        elif kind < 0.8:  # bytes=a- (open, within the last max_range bytes)
            first = size - 1 - rng.randrange(min(size, max_range))
            last = size - 1
            spec = f"{first}-"
        elif kind < 0.9:  # bytes=-n (suffix)
            n = 1 + rng.randrange(max_range)
            first, last = max(0, size - n), size - 1
            spec = f"-{n}"
        else:  # bytes=a-b with b past the end: clipped
            first = size - 1 - rng.randrange(min(size, max_range))
            last = size - 1
            spec = f"{first}-{size + rng.randrange(1, 1000)}"
        r = self.call("download", "GET", url, 206, {"Range": "bytes=" + spec})
        if r is None:
            return
        secs, hdrs, body = r
        want = f"bytes {first}-{last}/{size}"
        if hdrs.get("Content-Range") != want:
            self.stats.error("download", f"Range {spec}: Content-Range {hdrs.get('Content-Range')} != {want}")
        elif len(body) != last - first + 1 or body != b.slice(first, last):
            self.stats.error("download", f"Range {spec}: {len(body)} bytes differ from the source's slice")
        else:
            self.stats.ok("download", secs, len(body))


def proc_sample(pid):
    """RSS (KiB), open FDs, threads of a process, from /proc."""
    rss = threads = None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def heap_after_gc(pid):
    """KiB of heap used right after a full GC (jcmd GC.run, then GC.heap_info's first 'used')."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60, check=True)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) if m else None


def seed_objects(svc, n, size):
    """n objects of `size` bytes, uploaded by user 0, with signed URLs: [(url, Body)]."""
    seeds = []
    for i in range(n):
        user = i % len(svc.tokens)
        up = svc.upload(user, size, op="seed")
        if up is None:
            sys.exit("seeding failed")
        url = svc.signed_url(user, up[0])
        if url is None:
            sys.exit("seeding failed: no signed URL")
        seeds.append((url, up[1]))
    return seeds


def fmt_ms(v):
    return "-" if v != v else f"{v * 1000:.1f}"


def op_table(lat, nbytes, errors, secs, out):
    print(f"{'operation':<12} {'ok':>7} {'errors':>6} {'ops/s':>8} {'MB/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}",
          file=out)
    for op in sorted(set(lat) | set(errors)):
        v = lat.get(op, [])
        print(f"{op:<12} {len(v):>7} {len(errors.get(op, [])):>6} {len(v) / secs:>8.1f} "
              f"{nbytes.get(op, 0) / secs / 1e6:>8.1f} {fmt_ms(pct(v, 50)):>9} {fmt_ms(pct(v, 99)):>9} "
              f"{fmt_ms(max(v) if v else float('nan')):>9}", file=out)


def run_load(a, svc, stats):
    seeds = seed_objects(svc, a.seeds, a.upload_bytes)
    deadline = [0.0]
    samples = []
    stop = threading.Event()

    per_uploader = [0] * a.uploaders

    def uploader(i):
        while time.monotonic() < deadline[0]:
            up = svc.upload(i % len(svc.tokens), a.upload_bytes)
            if up is not None:
                per_uploader[i] += 1
                svc.delete(i % len(svc.tokens), up[0])
            elif time.monotonic() < deadline[0]:
                time.sleep(0.2)  # do not spin on a failing service

    def downloader(i):
        rng = random.Random(i)
        while time.monotonic() < deadline[0]:
            svc.ranged(seeds[rng.randrange(len(seeds))], rng, a.max_range)

    def sampler():
        while not stop.wait(0.5):
            try:
                samples.append(proc_sample(a.pid))
            except OSError:
                return

    stats.take()  # seeding is not measured
    before = proc_sample(a.pid) if a.pid else None
    threads = [threading.Thread(target=uploader, args=(i,), daemon=True) for i in range(a.uploaders)]
    threads += [threading.Thread(target=downloader, args=(i,), daemon=True) for i in range(a.downloaders)]
    if a.pid:
        threading.Thread(target=sampler, daemon=True).start()
    t0 = time.monotonic()
    deadline[0] = t0 + a.duration
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    stop.set()
    lat, nbytes, errors = stats.take()
    print(f"\n-- {a.uploaders} uploaders ({a.upload_bytes / MIB:g} MiB each, then DELETE) + {a.downloaders} "
          f"ranged downloaders (ranges up to {a.max_range / MIB:g} MiB of {a.seeds} seed objects) for {secs:.1f} s")
    op_table(lat, nbytes, errors, secs, sys.stdout)
    nerr = sum(len(v) for v in errors.values())
    print(f"errors: {nerr}" + ("" if not nerr else "  (" + ", ".join(f"{k} {len(v)}" for k, v in errors.items()) + ")"))
    if a.uploaders:
        counts = sorted(per_uploader)
        print(f"uploads per uploader (fairness; each holds one keep-alive connection): min {counts[0]}, "
              f"median {counts[len(counts) // 2]}, max {counts[-1]}")
    t = os.times()
    print(f"load generator CPU over its life: user {t.user:.1f}s sys {t.system:.1f}s (it shares the machine with the service)")
    summary = {"secs": secs, "errors": nerr, "ops": {op: len(v) for op, v in lat.items() if ":" not in op}}
    if samples:
        after = proc_sample(a.pid)
        peak_rss = max(s[0] for s in samples)
        peak_fds = max(s[1] for s in samples)
        peak_threads = max(s[2] for s in samples)
        print(f"service (sampled every 0.5 s): RSS peak {peak_rss / 1024:.0f} MiB; open FDs before {before[1]}, "
              f"peak {peak_fds}, after {after[1]}; threads before {before[2]}, peak {peak_threads}, after {after[2]}")
        summary.update(peak_rss_kib=peak_rss, fds_before=before[1], fds_peak=peak_fds, fds_after=after[1])
    return summary


def run_soak(a, svc, stats):
    seeds = seed_objects(svc, a.seeds, a.seed_bytes)
    rates = {"upload": a.upload_rate, "metadata": a.meta_rate, "url": a.url_rate, "download": a.download_rate,
             "list": a.list_rate, "404": a.missing_rate}
    live = {u: [] for u in range(len(svc.tokens))}  # uploads per user, oldest first
    live_lock = threading.Lock()
    rng_lock = threading.Lock()
    rng = random.Random(1)
    users = len(svc.tokens)

    def pick_user():
        with rng_lock:
            return rng.randrange(users)

    def do(op):
        user = pick_user()
        if op == "upload":
            with rng_lock:
                size = rng.choice(a.soak_sizes)
            up = svc.upload(user, size)
            if up is not None:
                with live_lock:
                    live[user].append(up[0])
                    old = live[user].pop(0) if len(live[user]) > a.keep else None
                if old:
                    svc.delete(user, old)
        elif op in ("metadata", "url"):
            with live_lock:
                ids = list(live[user])
            if not ids:
                svc.missing(user)
            elif op == "metadata":
                svc.metadata(user, ids[-1])
            else:
                svc.signed_url(user, ids[-1])
        elif op == "download":
            r = random.Random()
            svc.ranged(seeds[r.randrange(len(seeds))], r, a.max_range)
        elif op == "list":
            svc.listing(user)
        else:
            svc.missing(user)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=a.workers)
    inflight = [0]
    inflight_lock = threading.Lock()
    skipped = {}

    def submit(op):
        with inflight_lock:
            if inflight[0] >= a.workers:  # the service is behind: count it rather than queue without bound
                skipped[op] = skipped.get(op, 0) + 1
                return
            inflight[0] += 1

        def run():
            try:
                do(op)
            finally:
                with inflight_lock:
                    inflight[0] -= 1
        pool.submit(run)

    stats.take()
    rows = []
    t0 = time.monotonic()
    end = t0 + a.duration
    nxt = {op: t0 for op, r in rates.items() if r > 0}
    print(f"\n-- fixed rates per second: " + ", ".join(f"{op} {r:g}" for op, r in rates.items())
          + f"; upload sizes {', '.join(f'{s / 1024:g} KiB' for s in a.soak_sizes)}; {users} users, "
          f"{a.keep} uploads kept per user (older ones deleted); a row every {a.report:g} s after jcmd GC.run")
    print(f"{'min':>5} {'RSS MiB':>8} {'heap MiB':>9} {'FDs':>5} {'threads':>7} {'ops':>6} {'errors':>6} "
          f"{'skipped':>7} {'up p50/p99 ms':>15} {'down p50/p99 ms':>16}", flush=True)

    def reporter():
        """A row every a.report seconds (the last at the end), off the scheduler's thread: jcmd takes a while."""
        k = 1
        while True:
            at = min(t0 + k * a.report, end)
            time.sleep(max(0.0, at - time.monotonic()))
            lat, nbytes, errors = stats.take()
            rss, fds, threads = proc_sample(a.pid)
            heap = heap_after_gc(a.pid)
            with inflight_lock:
                sk = sum(skipped.values())
                skipped.clear()
            nerr = sum(len(v) for v in errors.values())
            row = {"minute": round((at - t0) / 60, 2), "rss_kib": rss, "heap_kib": heap, "fds": fds,
                   "threads": threads, "ops": sum(len(v) for k, v in lat.items() if ":" not in k), "errors": nerr, "skipped": sk}
            rows.append(row)
            up, down = lat.get("upload", []), lat.get("download", [])
            print(f"{row['minute']:>5g} {rss / 1024:>8.0f} {heap / 1024 if heap else float('nan'):>9.1f} {fds:>5} "
                  f"{threads:>7} {row['ops']:>6} {nerr:>6} {sk:>7} "
                  f"{fmt_ms(pct(up, 50)) + '/' + fmt_ms(pct(up, 99)):>15} "
                  f"{fmt_ms(pct(down, 50)) + '/' + fmt_ms(pct(down, 99)):>16}", flush=True)
            if at >= end:
                return
            k += 1

    rep = threading.Thread(target=reporter, daemon=True)
    rep.start()
    while True:
        now = time.monotonic()
        if now >= end:
            break
        for op in nxt:
            while nxt[op] <= now:
                submit(op)
                nxt[op] += 1.0 / rates[op]
        time.sleep(max(0.0, min(min(nxt.values()), end) - time.monotonic()))
    rep.join()
    pool.shutdown(wait=True)
    tail = stats.take()
    total_err = sum(r["errors"] for r in rows) + sum(len(v) for v in tail[2].values())
    summary = {"rows": rows, "errors": total_err}
    if len(rows) >= 3:
        # minute 2 (after warm-up) against the last
        base, last = next((r for r in rows if r["minute"] >= 2), rows[1]), rows[-1]
        print(f"growth from minute {base['minute']:g} to {last['minute']:g}: "
              f"RSS {(last['rss_kib'] - base['rss_kib']) / 1024:+.0f} MiB, "
              f"heap after GC {((last['heap_kib'] or 0) - (base['heap_kib'] or 0)) / 1024:+.1f} MiB, "
              f"FDs {last['fds'] - base['fds']:+d}, threads {last['threads'] - base['threads']:+d}")
    print(f"errors over the whole run: {total_err}")
    return summary


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["load", "soak"])
    p.add_argument("--base", required=True, help="the service's API base URL")
    p.add_argument("--tokens", required=True, help="file of bearer tokens, one per line (one per user)")
    p.add_argument("--pid", type=int, help="the service's JVM, for RSS, FDs, threads and heap")
    p.add_argument("--json", help="write the summary here")
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--timeout", type=float, default=300, help="socket timeout (no progress this long), s")
    p.add_argument("--seeds", type=int, default=8, help="objects the ranged downloads read")
    p.add_argument("--max-range", type=int, default=MIB, help="largest Range, bytes")
    p.add_argument("--uploaders", type=int, default=50)
    p.add_argument("--downloaders", type=int, default=200)
    p.add_argument("--upload-bytes", type=int, default=20 * MIB)
    p.add_argument("--seed-bytes", type=int, default=4 * MIB, help="soak: size of the seed objects")
    p.add_argument("--soak-sizes", default="65536,1048576,4194304", help="soak: upload sizes, bytes")
    p.add_argument("--upload-rate", type=float, default=2)
    p.add_argument("--meta-rate", type=float, default=2)
    p.add_argument("--url-rate", type=float, default=1)
    p.add_argument("--download-rate", type=float, default=20)
    p.add_argument("--list-rate", type=float, default=0.5)
    p.add_argument("--missing-rate", type=float, default=0.5)
    p.add_argument("--keep", type=int, default=5, help="soak: uploads kept per user")
    p.add_argument("--workers", type=int, default=64, help="soak: requests in flight at most")
    p.add_argument("--report", type=float, default=60, help="soak: seconds between rows")
    a = p.parse_args()
    a.soak_sizes = [int(s) for s in a.soak_sizes.split(",")]
    with open(a.tokens) as f:
        tokens = [line.strip() for line in f if line.strip()]
    stats = Stats()
    svc = Service(a.base, tokens, stats, Blocks(), a.timeout)
    summary = run_load(a, svc, stats) if a.mode == "load" else run_soak(a, svc, stats)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f)


if __name__ == "__main__":
    main()
