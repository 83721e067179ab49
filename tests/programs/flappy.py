#!/usr/bin/python3
"""HTTP service whose answer alternates per request: 500, 200, 500, 200...

usage: flappy.py PORT [COUNTFILE]
Every GET/POST flips the status (the first answer is 500). With COUNTFILE,
each answer appends its status to it, one per line, so a test can count
the failures the checker saw.
"""
import http.server
import sys
import threading

port = int(sys.argv[1])
count_file = sys.argv[2] if len(sys.argv) > 2 else None
lock = threading.Lock()
served = [0]


class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        with lock:
            status = 500 if served[0] % 2 == 0 else 200
            served[0] += 1
            if count_file:
                with open(count_file, "a") as f:
                    f.write("%d\n" % status)
        body = b"flap\n"
        self.send_response(status)
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
