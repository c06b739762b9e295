#!/usr/bin/python3
"""libtorrent DHT sessions on loopback, driven by the interop tests over stdin/stdout.

Started by LibtorrentHarness.cs as `/usr/bin/python3 libtorrent_dht.py N`. Starts N libtorrent sessions on
127.0.0.1 with the DHT on and no public bootstrap routers, prints one line
{"ready": true, "ports": [...], "version": "..."} and then answers one JSON command per stdin line with one
JSON line carrying the command's "id". Needs Debian's python3-libtorrent (2.0.x) and python3-cryptography
(the binding has no Ed25519 helper). Nothing here leaves 127.0.0.1.
"""
import hashlib
import json
import os
import sys
import tempfile
import time

import libtorrent as lt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

ALERT_TIMEOUT = 30.0


def settings():
    return {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # Never the public routers: only nodes added with add_dht_node.
        "dht_bootstrap_nodes": "",
        # libtorrent limits every IP to 5 queries/s and 8,000 B/s and refuses unverified and private-range
        # nodes by default; on loopback every node shares one IP.
        "dht_block_ratelimit": 100000,
        "dht_upload_rate_limit": 100000000,
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_enforce_node_id": False,
        "dht_prefer_verified_node_ids": False,
        "dht_ignore_dark_internet": False,
        "dht_announce_interval": 5,
        "alert_mask": 0x7FFFFFFF,
        "alert_queue_size": 100000,
    }


class Harness:
    def __init__(self, count):
        self.sessions = []
        self.directory = tempfile.mkdtemp(prefix="lt-dht-")
        for _ in range(count):
            self.sessions.append(lt.session(settings()))
        self.queries = 0
        self.started = time.perf_counter()
        self.elapsed_ms = 0.0

    def ports(self):
        return [s.listen_port() for s in self.sessions]

    def wait(self, index, predicate, timeout=ALERT_TIMEOUT):
        """Alerts of one session until predicate returns a value; None on timeout."""
        session = self.sessions[index]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            session.wait_for_alert(100)
            for alert in session.pop_alerts():
                if isinstance(alert, lt.dht_pkt_alert) and alert.message().startswith("==>"):
                    try:
                        if lt.bdecode(alert.pkt_buf).get(b"y") == b"q":
                            self.queries += 1
                    except Exception:
                        pass
                value = predicate(alert)
                if value is not None:
                    self.elapsed_ms = (time.perf_counter() - self.started) * 1000
                    return value
        return None

    def start(self, index):
        """Drops what the session said so far and starts the clock and the query count of one operation."""
        self.sessions[index].pop_alerts()
        self.queries = 0
        self.started = time.perf_counter()

    def measured(self, reply):
        reply["ms"] = round(self.elapsed_ms, 3)
        reply["queries"] = self.queries
        return reply

    def drain(self):
        for session in self.sessions:
            session.pop_alerts()

    def handle(self, command):
        kind = command["cmd"]
        index = command.get("session", 0)
        session = self.sessions[index] if self.sessions else None
        if kind == "add_node":
            session.add_dht_node((command["host"], int(command["port"])))
            return {}
        if kind == "table":
            session.post_dht_stats()
            nodes = self.wait(index, lambda a: sum(b["num_nodes"] for b in a.routing_table) if isinstance(a, lt.dht_stats_alert) else None, 10)
            return {"nodes": nodes or 0}
        if kind == "get_peers":
            target = lt.sha1_hash(bytes.fromhex(command["info_hash"]))
            self.start(index)
            session.dht_get_peers(target)
            # libtorrent posts the reply alert only when peers arrive: a lookup that finds none stays silent,
            # so the wait is short and the test retries.
            peers = self.wait(index, lambda a: [f"{ip}:{port}" for ip, port in a.peers()]
                              if isinstance(a, lt.dht_get_peers_reply_alert) and str(a.info_hash) == command["info_hash"] else None,
                              float(command.get("wait", 5)))
            return self.measured({"peers": peers if peers is not None else [], "timed_out": peers is None})
        if kind == "announce":
            # dht_announce cannot be called in the 2.0.8 binding: a magnet-style torrent (info-hash only) is
            # announced on the DHT by the session with its listen port.
            params = lt.add_torrent_params()
            params.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(command["info_hash"])))
            params.save_path = os.path.join(self.directory, command["info_hash"] + "-" + str(index))
            params.flags &= ~lt.torrent_flags.paused
            params.flags &= ~lt.torrent_flags.auto_managed
            session.add_torrent(params)
            return {"port": session.listen_port()}
        if kind == "put_immutable":
            target = session.dht_put_immutable_item(command["value"].encode())
            done = self.wait(index, lambda a: a.num_success if isinstance(a, lt.dht_put_alert) and str(a.target) == str(target) else None)
            return {"target": str(target), "stored": done if done is not None else -1}
        if kind == "get_immutable":
            target = lt.sha1_hash(bytes.fromhex(command["target"]))
            self.start(index)
            session.dht_get_immutable_item(target)
            item = self.wait(index, lambda a: [entry_of(a)] if isinstance(a, lt.dht_immutable_item_alert) and str(a.target) == command["target"] else None)
            value = item[0] if item else None
            return self.measured({"found": value is not None, "value": decode(value), "timed_out": item is None})
        if kind == "put_mutable":
            seed = bytes.fromhex(command["seed"])
            public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            # libtorrent's secret key is the expanded form: SHA-512 of the seed, clamped (orlp/ed25519).
            expanded = bytearray(hashlib.sha512(seed).digest())
            expanded[0] &= 248
            expanded[31] &= 63
            expanded[31] |= 64
            salt = command.get("salt", "").encode()
            session.dht_put_mutable_item(bytes(expanded), public, command["value"].encode(), salt)
            done = self.wait(index, lambda a: (a.num_success, a.seq) if isinstance(a, lt.dht_put_alert) and bytes(a.public_key) == public and as_bytes(a.salt) == salt else None)
            return {"public_key": public.hex(), "stored": done[0] if done else -1, "seq": done[1] if done else -1}
        if kind == "get_mutable":
            public = bytes.fromhex(command["public_key"])
            salt = command.get("salt", "").encode()
            self.start(index)
            session.dht_get_mutable_item(public, salt)

            def mutable(a):
                if isinstance(a, lt.dht_mutable_item_alert) and bytes(a.key) == public and as_bytes(a.salt) == salt and a.authoritative:
                    return a
                return None

            found = self.wait(index, mutable)
            if found is None:
                return {"found": False, "timed_out": True}
            value = entry_of(found)
            return self.measured({"found": value is not None, "seq": found.seq, "value": decode(value)})
        raise ValueError("unknown command " + kind)


def as_bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def entry_of(alert):
    """The item of an item alert, or None when nothing was found (libtorrent hands back an undefined entry)."""
    try:
        return alert.item
    except RuntimeError:
        return None


def decode(item):
    """The value of an entry as text: libtorrent hands BEP 44 values back decoded from bencode."""
    if item is None:
        return None
    if isinstance(item, bytes):
        return item.decode("utf-8", "replace")
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and "value" in item:
        return decode(item["value"])
    if isinstance(item, dict) and not item:
        return None
    return str(item)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    harness = Harness(count)
    print(json.dumps({"ready": True, "ports": harness.ports(), "version": lt.__version__}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        command = json.loads(line)
        if command.get("cmd") == "quit":
            break
        try:
            reply = harness.handle(command)
        except Exception as error:  # reported to the test, which fails with it
            reply = {"error": f"{type(error).__name__}: {error}"}
        reply["id"] = command.get("id")
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
