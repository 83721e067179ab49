#!/usr/bin/python3
"""HTTP/1.1 server that keeps connections, for the keepAlive tests.

Usage: keepalive_server.py PORTFILE LOGFILE MODE

Serves every request on a connection with "200 ok" (Content-Length framed)
and appends one line per request to LOGFILE: "conn=<n> req=<k> path=<path>"
(n counts connections from 1, k requests on that connection from 1). MODE
decides what happens to a connection after its first request:

  keep          nothing: the connection serves request after request
  close-header  the response says "Connection: close" and the server closes
  close-silent  the server closes right after the response, without saying so
  drop-second   the second request on a connection is read, not answered,
                and the connection closed (a server timing it out as the
                request arrives); logged as "conn=<n> req=2 dropped"
  reset-second  the same with a reset (RST) instead of a close

Standard library only; the listener is on 127.0.0.1 and the process ends
with its parent test (the test stops it by pid).
"""

import socket
import struct
import sys
import threading

PORTFILE, LOGFILE, MODE = sys.argv[1], sys.argv[2], sys.argv[3]
LOCK = threading.Lock()
COUNT = [0]


def log(line):
    with LOCK:
        with open(LOGFILE, "a") as f:
            f.write(line + "\n")


def read_head(sock, buf):
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None, buf
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


def serve(sock, n):
    buf = b""
    k = 0
    try:
        while True:
            head, buf = read_head(sock, buf)
            if head is None:
                return
            k += 1
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")
            if k == 2 and MODE in ("drop-second", "reset-second"):
                log("conn=%d req=%d dropped path=%s" % (n, k, path))
                if MODE == "reset-second":
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            log("conn=%d req=%d path=%s" % (n, k, path))
            extra = b"Connection: close\r\n" if MODE == "close-header" else b""
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n" + extra +
                         b"\r\nok")
            if MODE in ("close-header", "close-silent"):
                return
    except OSError:
        pass
    finally:
        sock.close()


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(PORTFILE + ".tmp", PORTFILE)
    while True:
        sock, _ = srv.accept()
        COUNT[0] += 1
        threading.Thread(target=serve, args=(sock, COUNT[0]), daemon=True).start()


if __name__ == "__main__":
    main()
