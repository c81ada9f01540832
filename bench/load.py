"""A closed-loop HTTP/1.1 load generator: a fixed number of keep-alive
connections, each sending its next request as soon as the previous answer is
read, for a warm-up and then a timed window.

The client is raw sockets and pre-built request bytes, so that a request
costs the client a few tens of microseconds of CPU; `run` measures that cost
(process CPU time over the window) and reports it, since the client shares
the machine with the server it measures.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    def encode(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Type: application/json")
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


class Connection:
    """One keep-alive connection; `send` answers (status, body)."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def _fill(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def send(self, raw: bytes) -> tuple[int, bytes]:
        self.sock.sendall(raw)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._fill()
        head = self.buffer[:end].lower()
        self.buffer = self.buffer[end + 4 :]
        status = int(head[9:12])
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            stop = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : stop if stop > 0 else None])
            return status, self._exactly(length)
        if b"transfer-encoding: chunked" in head:
            return status, self._chunked()
        raise ConnectionError("response without a length")

    def send_ok(self, raw: bytes) -> None:
        """`send`, for a latency pass: any answer but 200 stops the run."""
        status, body = self.send(raw)
        if status != 200:
            raise RuntimeError(f"{status} {body[:200]!r}")

    def _exactly(self, length: int) -> bytes:
        if len(self.buffer) < length:
            parts = [self.buffer]
            have = len(self.buffer)
            while have < length:
                chunk = self.sock.recv(max(262144, length - have))
                if not chunk:
                    raise ConnectionError("server closed the connection")
                parts.append(chunk)
                have += len(chunk)
            self.buffer = b"".join(parts)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def _chunked(self) -> bytes:
        parts = []
        while True:
            while (end := self.buffer.find(b"\r\n")) < 0:
                self._fill()
            size = int(self.buffer[:end].split(b";")[0], 16)
            self.buffer = self.buffer[end + 2 :]
            parts.append(self._exactly(size))
            self._exactly(2)
            if size == 0:
                return b"".join(parts)


def fetch(base_url: str, request: Request) -> tuple[int, bytes]:
    """One request on a fresh connection (set-up steps, checks)."""
    url = urlsplit(base_url)
    connection = Connection(url.hostname or "127.0.0.1", url.port or 80)
    try:
        return connection.send(request.encode(url.netloc))
    finally:
        connection.close()


def alternating_p50s(
    base_url: str, requests: Sequence[Request], seconds: float, warmup: float
) -> list[float]:
    """The p50 latency (ms) of each request, sent in turn on one connection
    for `seconds` after `warmup`: measured side by side, so that the machine
    drifting between two separate passes does not read as a difference."""
    url = urlsplit(base_url)
    encoded = [r.encode(url.netloc) for r in requests]
    connection = Connection(url.hostname or "127.0.0.1", url.port or 80)
    latencies: list[list[float]] = [[] for _ in encoded]
    try:
        timed_from = time.perf_counter() + warmup
        stop_at = timed_from + seconds
        while time.perf_counter() < stop_at:
            for index, raw in enumerate(encoded):
                started = time.perf_counter()
                connection.send_ok(raw)
                if started >= timed_from:
                    latencies[index].append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return [percentile(values, 50) for values in latencies]


def side_by_side_p50s(
    base_url: str,
    requests: Sequence[Request],
    local: Callable[[int], object],
    seconds: float,
    warmup: float,
) -> tuple[float, float]:
    """The p50 latency (ms) of `requests`, sent in turn on one connection,
    and of `local(i)`, run in this process after the i-th of them: the two
    timed at the same moments of the machine, each with the caches the other
    left, as a server's query runs between the other work of its requests."""
    url = urlsplit(base_url)
    encoded = [r.encode(url.netloc) for r in requests]
    connection = Connection(url.hostname or "127.0.0.1", url.port or 80)
    remote: list[float] = []
    here: list[float] = []
    try:
        timed_from = time.perf_counter() + warmup
        stop_at = timed_from + seconds
        for index in itertools.count():
            started = time.perf_counter()
            if started >= stop_at:
                break
            connection.send_ok(encoded[index % len(encoded)])
            sent = time.perf_counter()
            local(index)
            if started >= timed_from:
                remote.append((sent - started) * 1000)
                here.append((time.perf_counter() - sent) * 1000)
    finally:
        connection.close()
    return percentile(remote, 50), percentile(here, 50)


def blocks_p50s(
    base_url: str,
    requests: Sequence[Request],
    local: Callable[[int], object],
    seconds: float,
    block: float = 0.5,
) -> tuple[float, float]:
    """The p50 latency (ms) of `requests`, sent in turn on one connection,
    and of `local(i)`, each in blocks of `block` seconds taken in turn for
    `seconds` in all: both measured over the same minutes of the machine,
    each with its own caches, the first tenth of a block untimed while they
    warm. Separate passes a minute apart read the machine's drift as a
    difference (the same request measured 2.6 and 4.7 ms minutes apart);
    requests and statements taken one by one (`side_by_side_p50s`) each pay
    for the caches the other left."""
    url = urlsplit(base_url)
    encoded = [r.encode(url.netloc) for r in requests]
    connection = Connection(url.hostname or "127.0.0.1", url.port or 80)
    remote: list[float] = []
    here: list[float] = []
    settle = block / 10
    sent = 0
    ran = 0

    def timed_block(work: Callable[[], None], into: list[float]) -> None:
        begun = time.perf_counter()
        timed_from, stop_at = begun + settle, begun + block
        had = len(into)
        # A block times one call at least, however slow.
        while (started := time.perf_counter()) < stop_at or len(into) == had:
            work()
            if started >= timed_from:
                into.append((time.perf_counter() - started) * 1000)

    def send_next() -> None:
        nonlocal sent
        connection.send_ok(encoded[sent % len(encoded)])
        sent += 1

    def run_next() -> None:
        nonlocal ran
        local(ran)
        ran += 1

    try:
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at:
            timed_block(send_next, remote)
            timed_block(run_next, here)
    finally:
        connection.close()
    return percentile(remote, 50), percentile(here, 50)


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    client_cpu_seconds: float
    server_cpu_seconds: float = 0.0
    first_error: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def client_cpu_us_per_request(self) -> float:
        return 1e6 * self.client_cpu_seconds / self.requests if self.requests else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run(
    base_url: str,
    requests: Sequence[Request],
    *,
    concurrency: int,
    seconds: float,
    warmup: float,
    cpu_probe: Callable[[], float] | None = None,
    min_requests: int = 3,
    max_seconds: float = 120.0,
) -> Result:
    """Requests are sent in turn from the list (each connection starting at
    its own offset), for `warmup` seconds untimed and then `seconds` timed.
    A window that has not seen `min_requests` answers (slow scenarios) is
    stretched until it has, up to `max_seconds`."""
    url = urlsplit(base_url)
    encoded = [r.encode(url.netloc) for r in requests]
    host, port = url.hostname or "127.0.0.1", url.port or 80
    # Per connection, (started, ended, status, detail) of every answer; only
    # its own worker appends to a list, which needs no lock.
    answers: list[list[tuple[float, float, int, str]]] = [
        [] for _ in range(concurrency)
    ]
    ready = threading.Barrier(concurrency + 1)
    stopping = threading.Event()

    def worker(index: int, offset: int) -> None:
        connection = Connection(host, port)
        mine = answers[index]
        cycle = itertools.islice(itertools.cycle(encoded), offset, None)
        ready.wait()
        try:
            for raw in cycle:
                if stopping.is_set():
                    break
                started = time.perf_counter()
                try:
                    status, body = connection.send(raw)
                except (OSError, ConnectionError) as error:
                    mine.append((started, time.perf_counter(), 0, repr(error)))
                    connection.close()
                    connection = Connection(host, port)
                    continue
                ended = time.perf_counter()
                detail = "" if status == 200 else f"{status} {body[:200]!r}"
                mine.append((started, ended, status, detail))
        finally:
            connection.close()

    def timed_so_far() -> int:
        return sum(1 for mine in answers for a in list(mine) if a[0] >= timed_from)

    threads = [
        threading.Thread(target=worker, args=(i, i * 7 % max(1, len(encoded))))
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    begin = time.perf_counter()
    timed_from = begin + warmup
    time.sleep(max(0.0, timed_from - time.perf_counter()))
    cpu_start = time.process_time()
    server_start = cpu_probe() if cpu_probe else 0.0
    stop_at = timed_from + seconds
    time.sleep(max(0.0, stop_at - time.perf_counter()))
    while (
        timed_so_far() < min_requests and time.perf_counter() < timed_from + max_seconds
    ):
        time.sleep(0.05)
    stop_at = time.perf_counter()
    cpu = time.process_time() - cpu_start
    server_cpu = (cpu_probe() - server_start) if cpu_probe else 0.0
    stopping.set()
    for thread in threads:
        thread.join()
    timed = [
        a for mine in answers for a in mine if a[0] >= timed_from and a[1] <= stop_at
    ]
    good = [a for a in timed if a[2] == 200]
    bad = [a for a in timed if a[2] != 200]
    return Result(
        requests=len(good),
        errors=len(bad),
        seconds=stop_at - timed_from,
        latencies_ms=[(ended - started) * 1000 for started, ended, _, _ in good],
        client_cpu_seconds=cpu,
        server_cpu_seconds=server_cpu,
        first_error=bad[0][3] if bad else "",
    )
