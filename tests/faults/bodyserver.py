#!/usr/bin/python3
"""Serves one huge HTTP body per connection and counts what the client took.

usage: bodyserver.py --port-file F --count-file C [--size N]

GET /cl, /chunked or /close answers 200 with a body of N bytes (default
100 MiB) framed by Content-Length, chunked encoding or connection close.
When the client goes away (or the body is done) the number of body bytes
the kernel accepted from us is appended to the count file as
"<path> <bytes>". With a client that stops reading after 1 MiB this is
1 MiB plus the socket buffers, far below N. Loopback only.
"""
import argparse
import socket

CHUNK = 64 * 1024


def serve(conn, size, counts):
    conn.settimeout(10)
    req = b""
    while b"\r\n\r\n" not in req and len(req) < 65536:
        d = conn.recv(4096)
        if not d:
            return
        req += d
    path = req.split(b" ", 2)[1].decode("latin-1") if req.count(b" ") >= 2 else "/"
    hdr = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n"
    if path == "/chunked":
        hdr += "Transfer-Encoding: chunked\r\n"
    elif path == "/cl":
        hdr += "Content-Length: %d\r\n" % size
    conn.sendall((hdr + "\r\n").encode())
    block = b"x" * CHUNK
    sent = 0
    try:
        while sent < size:
            k = min(CHUNK, size - sent)
            data = (b"%x\r\n" % k + block[:k] + b"\r\n") if path == "/chunked" else block[:k]
            view = memoryview(data)
            while view:
                n = conn.send(view)
                view = view[n:]
            sent += k
        if path == "/chunked":
            conn.sendall(b"0\r\n\r\n")
    except (OSError, socket.timeout):
        pass
    with open(counts, "a") as f:
        f.write("%s %d\n" % (path, sent))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--count-file", required=True)
    ap.add_argument("--size", type=int, default=100 << 20)
    a = ap.parse_args()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    while True:
        conn, _ = s.accept()
        try:
            serve(conn, a.size, a.count_file)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
