"""Servers the tests and the benchmarks start on loopback, and how they are
stopped; no pytest here, so that bench/ can use them as plain scripts."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import Any, Callable, Dict, List, Sequence, Tuple


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
        self.binary = binary
        self.cli = _cli_binary()
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
        return _cli(self.cli, port, *args)

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
        _kill(self.procs[port])

    def stop(self) -> None:
        for proc in self.procs.values():
            stop_process(proc)


class RedisSentinel:
    """A throwaway Redis Sentinel deployment on loopback: a master, one
    replica, and ``sentinels`` sentinels (quorum ``quorum``) that watch it as
    the service ``SERVICE`` (Debian's redis-server, run with ``--sentinel``
    for the sentinels), without persistence, in ``workdir``. A master is
    judged down after ``down_after_ms``; a failover may start again
    ``2 * failover_timeout_ms`` after the last one started. ``stop()`` stops
    every process it started, and the constructor does so when the
    deployment does not come up."""

    SERVICE = "relay"

    def __init__(self, binary: str, workdir: str, sentinels: int = 3, quorum: int = 2,
                 down_after_ms: int = 1000, failover_timeout_ms: int = 2000) -> None:
        self.binary = binary
        self.cli = _cli_binary()
        self.workdir = workdir
        self.procs: "dict[int, subprocess.Popen[Any]]" = {}
        ports = _free_ports(2 + sentinels)
        self.data_ports, self.sentinel_ports = ports[:2], ports[2:]
        try:
            master, replica = self.data_ports
            self._start(master, [])
            self._start(replica, ["--replicaof", "127.0.0.1", str(master)])
            for port in self.data_ports:
                _wait_ping(port, self.procs[port])
            # Replicas already attached are known to a sentinel from its first INFO.
            _until(lambda: "master_link_status:up" in self.command(replica, "INFO", "replication"), 20,
                   "the replica did not sync with its master")
            for port in self.sentinel_ports:
                self._start(port, ["--sentinel"], [
                    f"sentinel monitor {self.SERVICE} 127.0.0.1 {master} {quorum}",
                    f"sentinel down-after-milliseconds {self.SERVICE} {down_after_ms}",
                    f"sentinel failover-timeout {self.SERVICE} {failover_timeout_ms}",
                    f"sentinel parallel-syncs {self.SERVICE} 1",
                ])
            for port in self.sentinel_ports:
                _wait_ping(port, self.procs[port])
            self.wait_ok()
        except BaseException:
            self.stop()
            raise
        self.sentinels: List[Tuple[str, int]] = [("127.0.0.1", p) for p in self.sentinel_ports]

    def _start(self, port: int, args: List[str], config: Sequence[str] = ()) -> None:
        # A config file each: sentinels record the deployment in theirs, and a
        # sentinel's reconfiguration of a server (REPLICAOF) rewrites its file.
        node_dir = os.path.join(self.workdir, str(port))
        os.makedirs(node_dir, exist_ok=True)
        conf = os.path.join(node_dir, "redis.conf")
        with open(conf, "w") as f:
            f.write("".join(f"{line}\n" for line in config))
        self.procs[port] = subprocess.Popen(
            [self.binary, conf, "--port", str(port), "--bind", "127.0.0.1", "--dir", node_dir,
             "--save", "", "--appendonly", "no", "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
             "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def command(self, port: int, *args: str) -> str:
        """One command to the server or sentinel on ``port`` with redis-cli; its output."""
        return _cli(self.cli, port, *args)

    def live(self, ports: Sequence[int]) -> List[int]:
        return [p for p in ports if self.procs[p].poll() is None]

    def master(self) -> int:
        """The master's port, as the sentinels agree on it (RuntimeError if they do not)."""
        said = {self.command(p, "SENTINEL", "get-master-addr-by-name", self.SERVICE) for p in self.live(self.sentinel_ports)}
        if len(said) != 1:
            raise RuntimeError(f"the sentinels disagree on the master: {said}")
        return int(said.pop().split()[-1])

    def replica(self) -> int:
        """The other data node (the one to be promoted)."""
        return next(p for p in self.data_ports if p != self.master())

    def _settled(self) -> bool:
        try:
            master = self.master()
        except (RuntimeError, ValueError):
            return False
        sentinels = self.live(self.sentinel_ports)
        replicas = [p for p in self.live(self.data_ports) if p != master]
        if master not in self.live(self.data_ports) or self.command(master, "ROLE").split("\n")[0] != "master":
            return False
        for port in replicas:
            info = self.command(port, "INFO", "replication")
            if f"master_port:{master}" not in info or "master_link_status:up" not in info:
                return False
        for port in sentinels:
            state = _pairs(self.command(port, "SENTINEL", "master", self.SERVICE))
            if state.get("flags") != "master" or int(state.get("num-other-sentinels", -1)) < len(sentinels) - 1:
                return False
            known = self.command(port, "SENTINEL", "replicas", self.SERVICE)
            # A live replica it knows as one, with no down flag.
            ok = [r for r in _records(known) if r.get("flags") == "slave" and int(r.get("port", 0)) in replicas]
            if len(ok) < len(replicas):
                return False
        return True

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Until every live sentinel names one live master, knows every live
        replica and its fellow sentinels, and every live replica is in sync
        with that master."""
        _until(self._settled, timeout, f"the sentinel deployment did not settle in {timeout} s")

    def wait_master(self, not_port: int, timeout: float = 30.0) -> int:
        """Until the sentinels name a master other than ``not_port`` that says
        it is one; its port."""
        def moved() -> bool:
            try:
                m = self.master()
            except (RuntimeError, ValueError):
                return False
            return m != not_port and self.command(m, "ROLE").split("\n")[0] == "master"

        _until(moved, timeout, f"no new master replaced {not_port} within {timeout} s")
        return self.master()

    def failover(self) -> Tuple[int, int]:
        """SENTINEL FAILOVER: the replica promoted; (old master, new master)
        once the sentinels name the new one."""
        old = self.master()
        said = self.command(self.live(self.sentinel_ports)[0], "SENTINEL", "FAILOVER", self.SERVICE)
        if said != "OK":
            raise RuntimeError(f"SENTINEL FAILOVER answered {said!r}")
        return old, self.wait_master(old)

    def kill_master(self) -> Tuple[int, int]:
        """SIGKILLs the master; (killed, the replica the sentinels should promote)."""
        old = self.master()
        replica = self.replica()
        _kill(self.procs[old])
        return old, replica

    def stop(self) -> None:
        for proc in self.procs.values():
            stop_process(proc)


def _pairs(text: str) -> Dict[str, str]:
    """redis-cli's lines for a flat key, value, ... reply, as a dict."""
    lines = text.split("\n")
    return dict(zip(lines[0::2], lines[1::2]))


def _records(text: str) -> List[Dict[str, str]]:
    """redis-cli's lines for a list of flat key/value replies (SENTINEL
    replicas): each record starts at its "name" key."""
    out: List[Dict[str, str]] = []
    lines = text.split("\n") if text else []
    for i in range(0, len(lines) - 1, 2):
        if lines[i] == "name":
            out.append({})
        if out:
            out[-1][lines[i]] = lines[i + 1]
    return out


def _until(check: Callable[[], bool], timeout: float, failure: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.1)


def _cli_binary() -> str:
    return os.environ.get("REDIS_CLI_BIN") or shutil.which("redis-cli") or "/usr/bin/redis-cli"


def _cli(cli: str, port: int, *args: str) -> str:
    """One command to the server on loopback ``port`` with redis-cli; its output."""
    out = subprocess.run([cli, "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


def _kill(proc: "subprocess.Popen[Any]") -> None:
    """SIGKILL: no shutdown, no last replication."""
    proc.kill()
    proc.wait()


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


def _serve(kind: str) -> None:
    """``python3 servers.py cluster`` / ``python3 servers.py sentinel``: the
    same servers for tests in other languages (bindings-wasm/tests). Prints
    one JSON line, its address (cluster: ``{"url", "ports"}``; sentinel:
    ``{"sentinels": [[host, port], ...], "name", "master"}``); then answers
    one JSON line per command read on stdin: ``failover`` (cluster: a
    CLUSTER FAILOVER sent to a master's replica; sentinel: SENTINEL
    FAILOVER; waited for), ``kill`` (SIGKILLs a master), ``wait`` (until the
    deployment is whole again), ``nodes`` (cluster) or ``master`` (sentinel).
    Stops every server at EOF or SIGTERM."""
    import json
    import signal
    import sys
    import tempfile

    binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server") or "/usr/bin/redis-server"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix=f"redis-{kind}-") as workdir:
        servers: Any = RedisCluster(binary, workdir) if kind == "cluster" else RedisSentinel(binary, workdir)
        try:
            if kind == "cluster":
                print(json.dumps({"url": servers.url, "ports": servers.ports}), flush=True)
            else:
                print(json.dumps({"sentinels": servers.sentinels, "name": servers.SERVICE, "master": servers.master()}), flush=True)
            for line in sys.stdin:
                try:
                    answer = (_cluster_command if kind == "cluster" else _sentinel_command)(servers, line.strip())
                except RuntimeError as exc:
                    answer = {"ok": False, "error": str(exc)}
                print(json.dumps(answer), flush=True)
        finally:
            servers.stop()


def _cluster_command(cluster: RedisCluster, cmd: str) -> Dict[str, Any]:
    if cmd == "failover":
        master = cluster.masters()[0]
        replica = cluster.replica_of(master)
        ok = cluster.command(replica, "CLUSTER", "FAILOVER") == "OK"
        deadline = time.monotonic() + 10
        while ok and cluster.command(replica, "ROLE").split("\n")[0] != "master":
            ok = time.monotonic() < deadline
            time.sleep(0.05)
        return {"ok": ok, "from": master, "to": replica}
    if cmd == "kill":
        master = cluster.masters()[0]
        replica = cluster.replica_of(master)
        cluster.kill(master)
        return {"ok": True, "from": master, "to": replica}
    if cmd == "wait":
        cluster.wait_ok(timeout=30)
        return {"ok": True, "masters": cluster.masters()}
    if cmd == "nodes":
        return {"ok": True, "nodes": cluster.nodes()}
    return {"ok": False, "error": f"unknown command {cmd!r}"}


def _sentinel_command(sentinel: RedisSentinel, cmd: str) -> Dict[str, Any]:
    if cmd == "failover":
        old, new = sentinel.failover()
        return {"ok": True, "from": old, "to": new}
    if cmd == "kill":
        old, new = sentinel.kill_master()
        return {"ok": True, "from": old, "to": new}
    if cmd == "wait":
        sentinel.wait_ok(timeout=30)
        return {"ok": True, "master": sentinel.master()}
    if cmd == "master":
        return {"ok": True, "master": sentinel.master()}
    return {"ok": False, "error": f"unknown command {cmd!r}"}


if __name__ == "__main__":
    import sys

    if sys.argv[1:] in (["cluster"], ["sentinel"]):
        _serve(sys.argv[1])
    else:
        sys.exit("usage: servers.py cluster | sentinel")
