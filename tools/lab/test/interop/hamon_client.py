#!/usr/bin/env python3
"""An independent reset-path client written from docs/protocol.md alone (no shared code).

Plays two HA monitors of one cluster from one UDP socket, then:
CHECK both, RESET one from the other (with a first send deliberately left without waiting, so a
retransmission happens), acknowledge RESET-RESULT and every ATTENTION, send a DUMP-NOTICE, and
probe the connector with a version-2 frame. Prints one JSON line per verified step and exits 0
when everything matched the specification.

Usage: hamon_client.py <connector ip> <connector port> [--bind <ip>]
The shared key, if any, comes from the environment: HACONN_KEY="<key id> <64 hex digits>".
HACONN_FENCE=1 sets the RESET's FENCE flag (header flags bit 1, protocol.md section 3.1 and 4.3).
"""
import hashlib
import hmac
import json
import os
import random
import socket
import struct
import sys
import time

MAGIC = 0x4843
HEADER = struct.Struct(">HBBBBHIIIQ")  # magic protocol version type flags attempt bodyLength requestId senderId timestamp
T = {"CHECK": 1, "CHECK-REPLY": 2, "RESET": 3, "RESET-ACCEPTED": 4, "RESET-RESULT": 5, "RESULT-ACK": 6,
     "DUMP-NOTICE": 7, "DUMP-ACK": 8, "ATTENTION": 9, "ATTENTION-ACK": 10, "UNSUPPORTED-VERSION": 0x7F}
NAMES = {v: k for k, v in T.items()}
RESULTS = {1: "DUMP", 2: "POFF", 3: "FAIL", 4: "ERROR"}
STATES = {1: "DUMP", 2: "REBOOT", 3: "POFF"}

KEY = None
if os.environ.get("HACONN_KEY"):
    kid, khex = os.environ["HACONN_KEY"].split()
    KEY = (int(kid), bytes.fromhex(khex))


def name(s):
    b = s.encode("ascii")
    return bytes([len(b)]) + b


FENCE = os.environ.get("HACONN_FENCE") == "1"


def frame(type_name, request_id, sender_id, body, attempt=0, version=1):
    flags = 1 if KEY else 0
    if FENCE and type_name == "RESET":
        flags |= 2
    head = HEADER.pack(MAGIC, 1, version, T[type_name], flags, attempt, len(body), request_id, sender_id,
                       int(time.time() * 1000))
    out = head + body
    if KEY:
        out += struct.pack(">I", KEY[0]) + os.urandom(8)
        out += hmac.new(KEY[1], out, hashlib.sha256).digest()
    return out


def parse(data):
    if len(data) < 28:
        raise ValueError("short")
    magic, proto, version, typ, flags, attempt, blen, rid, sid, ts = HEADER.unpack_from(data)
    assert magic == MAGIC and proto == 1, "not a reset-path frame"
    assert version == 1, "version"
    expected = 28 + blen + (44 if flags & 1 else 0)
    assert len(data) == expected, f"length {len(data)} != {expected}"
    if KEY:
        assert flags & 1, "reply not signed"
        kid, = struct.unpack_from(">I", data, 28 + blen)
        assert kid == KEY[0], "key id"
        tag = hmac.new(KEY[1], data[:28 + blen + 12], hashlib.sha256).digest()
        assert hmac.compare_digest(tag, data[-32:]), "bad tag"
        assert abs(time.time() * 1000 - ts) <= 30000, "stale"
    return NAMES[typ], rid, sid, attempt, data[28:28 + blen]


def read_name(body, at):
    n = body[at]
    return body[at + 1:at + 1 + n].decode("ascii"), at + 1 + n


class Client:
    def __init__(self, host, port, bind):
        self.conn = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((bind, 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.seen_events = set()
        self.attentions = []
        self.inbox = []

    def send(self, data):
        self.sock.sendto(data, self.conn)

    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                data, _ = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            msg = parse(data)
            if msg[0] == "ATTENTION":
                self.on_attention(msg)
            else:
                self.inbox.append(msg)

    def wait(self, type_names, request_id, seconds):
        end = time.time() + seconds
        while time.time() < end:
            for m in self.inbox:
                if m[0] in type_names and m[1] == request_id:
                    self.inbox.remove(m)
                    return m
            self.pump(0.05)
        return None

    def on_attention(self, msg):
        _, rid, sid, _, body = msg
        assert sid == 0
        event_id, state, kind, target, cport = struct.unpack_from(">QBBIH", body)
        sysname, at = read_name(body, 16)
        vm, at = read_name(body, at)
        assert at == len(body)
        # The connector sends one copy per registered monitor; which one is meant is not in the
        # body, so acknowledge as both monitors this socket plays.
        for me in (20001, 20002):
            self.send(frame("ATTENTION-ACK", rid, me, struct.pack(">Q", event_id)))
        if event_id not in self.seen_events:
            self.seen_events.add(event_id)
            self.attentions.append({"eventId": event_id, "state": STATES[state], "target": target,
                                    "system": sysname, "clusterPort": cport, "kind": kind, "vm": vm})


def step(**kw):
    print(json.dumps(kw), flush=True)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    bind = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--bind" else "127.0.0.1"
    c = Client(host, port, bind)

    # CHECK for two monitors of one cluster (same replyPort).
    for sub, sysname in ((20001, "PYSYS1"), (20002, "PYSYS2")):
        rid = random.randrange(1, 2**32)
        body = struct.pack(">HBHI", c.port, 1, 10, 0) + name(sysname) + name("")
        c.send(frame("CHECK", rid, sub, body))
        m = c.wait({"CHECK-REPLY"}, rid, 3)
        assert m, "no CHECK-REPLY"
        _, _, sid, _, b = m
        blockers, redundancy, role, status, pair = struct.unpack_from(">BBBBI", b)
        responder, at = read_name(b, 8)
        assert at == len(b) and sid == 0 and role in (0, 1, 2)
        step(step="check", subsystem=sub, resettable=blockers == 0, redundancy=redundancy, role=role,
             status=status, responder=responder)

    # RESET 20001 from 20002: first send, then a retransmission (attempt 1, fresh nonce).
    rid = random.randrange(1, 2**32)
    body = struct.pack(">IH", 20001, c.port) + name("PYSYS1")
    c.send(frame("RESET", rid, 20002, body, attempt=0))
    c.send(frame("RESET", rid, 20002, body, attempt=1))
    accepted = c.wait({"RESET-ACCEPTED", "RESET-RESULT"}, rid, 5)
    assert accepted, "no answer to RESET"
    step(step="reset-answered", type=accepted[0])
    result = accepted if accepted[0] == "RESET-RESULT" else c.wait({"RESET-RESULT"}, rid, 10)
    assert result, "no RESET-RESULT"
    target, code, detail = struct.unpack(">IBB", result[4])
    assert target == 20001
    c.send(frame("RESULT-ACK", rid, 20002, struct.pack(">I", target)))
    step(step="reset-result", result=RESULTS[code], detail=detail)

    c.pump(1.5)
    assert len(c.attentions) == 1, f"attentions {c.attentions}"
    step(step="attention", **c.attentions[0])

    # DUMP-NOTICE from 20001.
    rid = random.randrange(1, 2**32)
    c.send(frame("DUMP-NOTICE", rid, 20001, struct.pack(">H", c.port) + name("PYSYS1")))
    ack = c.wait({"DUMP-ACK"}, rid, 3)
    assert ack, "no DUMP-ACK"
    sub, status = struct.unpack(">IB", ack[4])
    assert sub == 20001
    step(step="dump-ack", status=status)

    # A version-2 frame must be answered UNSUPPORTED-VERSION (unsigned, requestId echoed).
    rid = random.randrange(1, 2**32)
    saved = globals()["KEY"]
    globals()["KEY"] = None
    probe = frame("CHECK", rid, 20001, b"\x00" * 8, version=2)
    c.send(probe)
    c.sock.settimeout(3)
    data, _ = c.sock.recvfrom(2048)
    m = parse(data)
    globals()["KEY"] = saved
    assert m[0] == "UNSUPPORTED-VERSION" and m[1] == rid, m
    lo, hi = struct.unpack(">BB", m[4])
    step(step="unsupported-version", min=lo, max=hi)
    step(step="done")


if __name__ == "__main__":
    main()
