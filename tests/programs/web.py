#!/usr/bin/python3
"""Tiny HTTP service for supervise tests.

usage: web.py PORT FLAGFILE [hang|500] [--clear-flag]

GET/POST / answers 200 "ok". While FLAGFILE exists the service misbehaves:
"hang" (default) accepts requests but never answers them; "500" answers 500.
--clear-flag removes FLAGFILE at start (a restart "fixes" the service).
"""
import http.server
import os
import sys
import time

port, flag = int(sys.argv[1]), sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 and not sys.argv[3].startswith("--") else "hang"
if "--clear-flag" in sys.argv:
    try:
        os.unlink(flag)
    except FileNotFoundError:
        pass


class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        if os.path.exists(flag):
            if mode == "500":
                self.send_error(500, "flagged")
                return
            end = time.time() + 120
            while os.path.exists(flag) and time.time() < end:
                time.sleep(0.05)
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = answer
    do_POST = answer

    def log_message(self, *a):
        pass


class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


S(("127.0.0.1", port), H).serve_forever()
