#!/usr/bin/python3
"""Tiny authoritative DNS server for the healthcheck resolver tests.

Serves UDP and TCP on the same port. Standard library only; run with
/usr/bin/python3.

Modes:
  normal    answer A/AAAA from the zone; unknown name -> NXDOMAIN; known name
            without records of the asked type -> NOERROR, no answers
  truncate  UDP: TC=1 and no answers; TCP: the full answer
  garbage   UDP: 64 random bytes; TCP: answered normally
  wrongid   UDP: a well-formed answer with the wrong transaction id; TCP: normal
  silent    never answer (UDP or TCP)
  cname     query www.NAME (NAME in the zone) -> CNAME www.NAME -> NAME plus
            NAME's records of the asked type; other names as in normal mode
Answers always use name compression (pointers into the question).
"""

import argparse
import json
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
          16: "TXT", 28: "AAAA", 33: "SRV", 41: "OPT", 65: "HTTPS", 255: "ANY"}
TTL = 60

ARGS = None
ZONE = {}   # lowercase name -> {"A": [bytes], "AAAA": [bytes]}
RECORD_LOCK = threading.Lock()
RECORD_FH = None


class FormErr(Exception):
    pass


def parse_question(msg):
    """Returns (id, flags, qname_labels, qname_end_offset, qtype, qclass)."""
    if len(msg) < 12:
        raise FormErr("short")
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd < 1:
        raise FormErr("no question")
    labels = []
    off = 12
    while True:
        if off >= len(msg):
            raise FormErr("truncated name")
        n = msg[off]
        if n == 0:
            off += 1
            break
        if n & 0xC0:
            raise FormErr("compression in question not supported")
        labels.append(msg[off + 1:off + 1 + n])
        off += 1 + n
    if off + 4 > len(msg):
        raise FormErr("truncated question")
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    return qid, flags, labels, off + 4, qtype, qclass


def rr(name_ptr_off, rtype, rdata):
    return (struct.pack("!H", 0xC000 | name_ptr_off) +
            struct.pack("!HHIH", rtype, 1, TTL, len(rdata)) + rdata)


def build_answer(msg, truncated=False):
    """Builds the response to query msg. Returns bytes or None."""
    try:
        qid, flags, labels, qend, qtype, qclass = parse_question(msg)
    except FormErr:
        if len(msg) >= 2:
            qid = struct.unpack("!H", msg[:2])[0]
            return struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | 1, 0, 0, 0, 0)
        return None
    name = b".".join(labels).decode("ascii", "replace").lower()
    question = msg[12:qend]
    tname = QTYPES.get(qtype, "TYPE%d" % qtype)

    rcode = 0
    answers = []
    # Offsets of each label of the question name (for pointers to suffixes).
    label_offs = []
    off = 12
    for lab in labels:
        label_offs.append(off)
        off += 1 + len(lab)

    if ARGS.mode == "cname" and name not in ZONE and len(labels) > 1 \
            and labels[0].lower() == b"www" \
            and b".".join(labels[1:]).decode("ascii", "replace").lower() in ZONE:
        target = b".".join(labels[1:]).decode("ascii", "replace").lower()
        target_off = label_offs[1]
        # CNAME rdata is a pure pointer to the suffix of the question name.
        answers.append(rr(12, 5, struct.pack("!H", 0xC000 | target_off)))
        if tname in ("A", "AAAA"):
            for data in ZONE[target].get(tname, []):
                answers.append(rr(target_off, qtype, data))
    elif name in ZONE:
        if tname in ("A", "AAAA"):
            for data in ZONE[name].get(tname, []):
                answers.append(rr(12, qtype, data))
    else:
        rcode = 3

    rflags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | rcode
    if truncated:
        rflags |= 0x0200
        answers = []
    return (struct.pack("!HHHHHH", qid, rflags, 1, len(answers), 0, 0) +
            question + b"".join(answers))


def record(msg, transport):
    if RECORD_FH is None:
        return
    try:
        _, _, labels, _, qtype, _ = parse_question(msg)
        name = b".".join(labels).decode("ascii", "replace")
    except FormErr:
        name, qtype = None, None
    obj = {"name": name,
           "qtype": QTYPES.get(qtype, "TYPE%d" % qtype) if qtype is not None else None,
           "qtype_num": qtype, "transport": transport, "time": time.time()}
    with RECORD_LOCK:
        RECORD_FH.write(json.dumps(obj, separators=(",", ":")) + "\n")
        RECORD_FH.flush()


def udp_loop(us):
    while True:
        try:
            msg, peer = us.recvfrom(65535)
        except OSError:
            continue
        record(msg, "udp")
        mode = ARGS.mode
        if mode == "silent":
            continue
        if mode == "garbage":
            out = bytes(random.randrange(256) for _ in range(64))
        elif mode == "truncate":
            out = build_answer(msg, truncated=True)
        elif mode == "wrongid":
            out = build_answer(msg)
            if out:
                wid = (struct.unpack("!H", out[:2])[0] ^ 0x5A5A) & 0xFFFF
                out = struct.pack("!H", wid) + out[2:]
        else:
            out = build_answer(msg)
        if out:
            try:
                us.sendto(out, peer)
            except OSError:
                pass


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            return None
        buf += d
    return buf


def tcp_conn(s):
    try:
        s.settimeout(30)
        while True:
            hdr = recv_exact(s, 2)
            if hdr is None:
                return
            msg = recv_exact(s, struct.unpack("!H", hdr)[0])
            if msg is None:
                return
            record(msg, "tcp")
            if ARGS.mode == "silent":
                continue
            out = build_answer(msg)
            if out:
                s.sendall(struct.pack("!H", len(out)) + out)
    except OSError:
        pass
    finally:
        s.close()


def tcp_loop(ts):
    while True:
        try:
            s, _ = ts.accept()
        except OSError:
            continue
        threading.Thread(target=tcp_conn, args=(s,), daemon=True).start()


def bind_both(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(100):
        us = socket.socket(family, socket.SOCK_DGRAM)
        us.bind((host, port))
        p = us.getsockname()[1]
        ts = socket.socket(family, socket.SOCK_STREAM)
        ts.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            ts.bind((host, p))
        except OSError:
            us.close()
            ts.close()
            if port != 0:
                raise
            continue
        ts.listen(64)
        return us, ts, p
    raise OSError("could not bind UDP and TCP on the same port")


def add_zone(entries, rtype, family):
    for e in entries or []:
        if "=" not in e:
            sys.exit("dnsserver: bad zone entry %r (want NAME=IP)" % e)
        name, ip = e.split("=", 1)
        name = name.strip().rstrip(".").lower()
        try:
            packed = socket.inet_pton(family, ip.strip())
        except OSError:
            sys.exit("dnsserver: bad address %r" % ip)
        z = ZONE.setdefault(name, {"A": [], "AAAA": []})
        z[rtype].append(packed)


def main():
    global ARGS, RECORD_FH
    ap = argparse.ArgumentParser(
        description="Tiny authoritative DNS server (UDP+TCP) for tests.",
        epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--port-file")
    ap.add_argument("--record")
    ap.add_argument("--a", action="append", metavar="NAME=IP")
    ap.add_argument("--aaaa", action="append", metavar="NAME=IP6")
    ap.add_argument("--mode", default="normal",
                    choices=["normal", "truncate", "garbage", "wrongid",
                             "silent", "cname"])
    ARGS = ap.parse_args()

    def on_signal(signum, frame):
        os._exit(0)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    add_zone(ARGS.a, "A", socket.AF_INET)
    add_zone(ARGS.aaaa, "AAAA", socket.AF_INET6)
    if ARGS.record:
        RECORD_FH = open(ARGS.record, "a", encoding="utf-8")

    host = ARGS.bind.strip("[]")
    us, ts, port = bind_both(host, ARGS.port)
    threading.Thread(target=tcp_loop, args=(ts,), daemon=True).start()
    if ARGS.port_file:
        tmp = ARGS.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, ARGS.port_file)
    udp_loop(us)


if __name__ == "__main__":
    main()
