"""Servers the tests and the benchmarks start on loopback, and how they are
stopped; no pytest here, so that bench/ can use them as plain scripts."""

from __future__ import annotations

import socket
import subprocess
import time
from typing import Any


def stop_process(proc: "subprocess.Popen[Any]") -> None:
    """Stops a server a test started: politely, then for good after 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


class RedisServer:
    """A throwaway redis-server on a free loopback port, without persistence."""

    def __init__(self, binary: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        stop_process(self.proc)


def _free_ports(n: int) -> "list[int]":
    """n distinct free loopback ports whose cluster bus ports (port + 10000)
    are free too."""
    ports: "list[int]" = []
    while len(ports) < n:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + 10000 > 65535 or port in ports:
            continue
        try:
            with socket.socket() as bus:
                bus.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        ports.append(port)
    return ports


class RedisCluster:
    """A throwaway Redis Cluster on loopback: three masters and three replicas
    (Debian's redis-server and redis-cli), no persistence, in ``workdir``.
    ``stop()`` stops every process it started, and the constructor does so
    when the cluster does not come up."""

    MASTERS = 3

    def __init__(self, binary: str, workdir: str, node_timeout_ms: int = 1000) -> None:
        import os
        import shutil

        self.binary = binary
        self.cli = os.environ.get("REDIS_CLI_BIN") or shutil.which("redis-cli") or "/usr/bin/redis-cli"
        self.workdir = workdir
        self.ports = _free_ports(2 * self.MASTERS)
        self.procs: "dict[int, subprocess.Popen[Any]]" = {}
        try:
            for port in self.ports:
                self.start_node(port, node_timeout_ms)
            for port in self.ports:
                _wait_ping(port, self.procs[port])
            out = subprocess.run(
                [self.cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                 "--cluster-replicas", "1", "--cluster-yes"],
                capture_output=True, text=True, timeout=60,
            )
            if out.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed: {out.stdout[-2000:]}{out.stderr[-2000:]}")
            self.wait_ok()
        except BaseException:
            self.stop()
            raise
        self.url = f"redis://127.0.0.1:{self.ports[0]}"

    def start_node(self, port: int, node_timeout_ms: int) -> None:
        import os

        node_dir = os.path.join(self.workdir, str(port))
        os.makedirs(node_dir, exist_ok=True)
        self.procs[port] = subprocess.Popen(
            [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", node_dir,
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", str(node_timeout_ms), "--save", "", "--appendonly", "no",
             # A replica's first sync starts at once (the default waits 5 s for more replicas).
             "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
             "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def command(self, port: int, *args: str) -> str:
        """One command to the node on ``port`` with redis-cli; its output."""
        out = subprocess.run([self.cli, "-h", "127.0.0.1", "-p", str(port), *args],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip()

    def nodes(self) -> "list[dict[str, Any]]":
        """CLUSTER NODES as seen from a live node: port, id, role, flags, master id."""
        for port in self.ports:
            if self.procs[port].poll() is not None:
                continue
            text = self.command(port, "CLUSTER", "NODES")
            if not text or "ERR" in text.split("\n")[0]:
                continue
            found = []
            for line in text.splitlines():
                f = line.split()
                flags = f[2].split(",")
                found.append({
                    "id": f[0], "port": int(f[1].split("@")[0].rsplit(":", 1)[1]), "flags": flags,
                    "master": "master" in flags, "failed": "fail" in flags or "fail?" in flags,
                    "master_id": f[3] if f[3] != "-" else None,
                })
            return found
        raise RuntimeError("no live node answers CLUSTER NODES")

    def masters(self) -> "list[int]":
        """Ports of the live masters that serve slots."""
        return sorted(n["port"] for n in self.nodes() if n["master"] and not n["failed"]
                      and self.procs[n["port"]].poll() is None)

    def replica_of(self, master_port: int) -> int:
        nodes = self.nodes()
        master_id = next(n["id"] for n in nodes if n["port"] == master_port)
        return next(n["port"] for n in nodes if n["master_id"] == master_id and not n["failed"])

    def wait_ok(self, timeout: float = 30.0, masters: int = MASTERS) -> None:
        """Until every live node says cluster_state:ok, there are ``masters``
        live masters, and every live replica's link to its master is up (a
        replica still syncing cannot take over)."""
        deadline = time.monotonic() + timeout
        while True:
            live = [p for p in self.ports if self.procs[p].poll() is None]
            states = [self.command(p, "CLUSTER", "INFO") for p in live]
            if all("cluster_state:ok" in s for s in states):
                try:
                    synced = all("master_link_status:up" in self.command(p, "INFO", "replication")
                                 for p in live if p not in self.masters())
                    if len(self.masters()) == masters and synced:
                        return
                except RuntimeError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not reach cluster_state:ok in {timeout} s")
            time.sleep(0.1)

    def kill(self, port: int) -> None:
        """SIGKILLs the node on ``port`` (no shutdown, no last replication)."""
        proc = self.procs[port]
        proc.kill()
        proc.wait()

    def stop(self) -> None:
        for proc in self.procs.values():
            stop_process(proc)


def _wait_ping(port: int, proc: "subprocess.Popen[Any]", timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"redis-server on port {port} did not start")
        time.sleep(0.05)


def _serve_cluster() -> None:
    """``python3 servers.py cluster``: the same cluster for tests in other
    languages (bindings-wasm/tests). Prints one JSON line, ``{"url", "ports"}``;
    then answers one JSON line per command read on stdin: ``failover`` (a
    CLUSTER FAILOVER sent to a master's replica, waited for), ``kill``
    (SIGKILLs a master), ``wait`` (until the cluster is whole again),
    ``nodes``. Stops every server at EOF or SIGTERM."""
    import json
    import os
    import shutil
    import signal
    import sys
    import tempfile

    binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server") or "/usr/bin/redis-server"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="redis-cluster-") as workdir:
        cluster = RedisCluster(binary, workdir)
        try:
            print(json.dumps({"url": cluster.url, "ports": cluster.ports}), flush=True)
            for line in sys.stdin:
                cmd = line.strip()
                if cmd == "failover":
                    master = cluster.masters()[0]
                    replica = cluster.replica_of(master)
                    ok = cluster.command(replica, "CLUSTER", "FAILOVER") == "OK"
                    deadline = time.monotonic() + 10
                    while ok and cluster.command(replica, "ROLE").split("\n")[0] != "master":
                        ok = time.monotonic() < deadline
                        time.sleep(0.05)
                    answer: Any = {"ok": ok, "from": master, "to": replica}
                elif cmd == "kill":
                    master = cluster.masters()[0]
                    replica = cluster.replica_of(master)
                    cluster.kill(master)
                    answer = {"ok": True, "from": master, "to": replica}
                elif cmd == "wait":
                    cluster.wait_ok(timeout=30)
                    answer = {"ok": True, "masters": cluster.masters()}
                elif cmd == "nodes":
                    answer = {"ok": True, "nodes": cluster.nodes()}
                else:
                    answer = {"ok": False, "error": f"unknown command {cmd!r}"}
                print(json.dumps(answer), flush=True)
        finally:
            cluster.stop()


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["cluster"]:
        _serve_cluster()
    else:
        sys.exit("usage: servers.py cluster")
