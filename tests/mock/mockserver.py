#!/usr/bin/python3
"""HTTP/1.1 mock server for the healthcheck shell tests.

Built on raw sockets (one daemon thread per connection) so that it can break
protocol rules on purpose. Every connection serves exactly one request and is
then closed. Standard library only; run with /usr/bin/python3.

See --help for the command line and the ENDPOINTS section below for the paths.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import warnings
from http import HTTPStatus

ENDPOINTS = """
/status/<code>?body=&ctype=      answer <code>
/json?body=<json>                200 application/json
/chunked?parts=a,b&bad=1&ext=1&trailer=1
/redirect?to=<url>&code=302      /redirect-chain/<n>     /loop
/drip?bytes=N&interval_ms=M&code=200    /drip-headers?interval_ms=M
/hang    /reset?at=headers|body    /garbage
/huge-header?size=N    /huge-body?size=N[&chunked=1|&nolength=1]
/close-delimited?body=    /content-length?value=V[&value2=W]&body=B
/echo    /svc/<name>    /toggle/<name>?code=&body=
POST /robot/send?access_token=T            (DingTalk)
POST /cgi-bin/webhook/send?key=K           (WeCom)
POST /open-apis/bot/v2/hook/<id>           (Feishu)
POST /report  POST /webhook  POST /report-fail
POST /hooks/<token>  (200)  POST /hook-fail/<token>  (500): webhooks with a path token
"""

MAX_HEAD = 1 << 20          # request head limit
MAX_BODY = 64 << 20         # request body limit
READ_TIMEOUT = 30.0         # idle timeout while reading a request
CHUNK = 64 * 1024

ARGS = None
RECORD_LOCK = threading.Lock()
RECORD_FH = None
STATE_LOCK = threading.Lock()
SVC_STATE = {}              # name -> (code, body)
RATE_SEEN = set()           # (kind, token) already rate limited once


class ClientGone(Exception):
    """The client closed or reset the connection; stop quietly."""


class BadRequest(Exception):
    pass


# --------------------------------------------------------------------------
# Connection helpers

class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError) as e:
            if isinstance(e, socket.timeout):
                raise BadRequest("timeout")
            raise ClientGone(str(e))
        if not data:
            raise ClientGone("eof")
        self.buf += data

    def read_until(self, marker, limit):
        start = 0
        while True:
            i = self.buf.find(marker, start)
            if i >= 0:
                out = self.buf[:i]
                self.buf = self.buf[i + len(marker):]
                return out
            if len(self.buf) > limit:
                raise BadRequest("too long")
            start = max(0, len(self.buf) - len(marker) + 1)
            self._fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out = self.buf[:n]
        self.buf = self.buf[n:]
        return out

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError) as e:
            raise ClientGone(str(e))

    def wait_client_close(self):
        """Keep the socket open until the client closes it (or we exit)."""
        self.sock.settimeout(1.0)
        while True:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                return
            if not data:
                return

    def reset(self):
        """Close with RST so the client sees ECONNRESET."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            # For TLS, close the raw fd without close_notify.
            if isinstance(self.sock, ssl.SSLSocket):
                fd = self.sock.detach()
                os.close(fd)
            else:
                self.sock.close()
        except OSError:
            pass


class Request:
    def __init__(self):
        self.method = ""
        self.raw_target = ""
        self.path = ""
        self.query = {}
        self.version = ""
        self.headers = []
        self.body = b""
        self.tls = None             # negotiated version ("TLSv1.3") over --tls

    def header(self, name, default=None):
        name = name.lower()
        val = default
        for n, v in self.headers:
            if n.lower() == name:
                val = v
        return val

    def q(self, name, default=None):
        return self.query.get(name, default)


def read_request(conn):
    head = conn.read_until(b"\r\n\r\n", MAX_HEAD)
    lines = head.split(b"\r\n")
    # Tolerate leading empty lines (RFC 9112 2.2).
    while lines and lines[0] == b"":
        lines.pop(0)
    if not lines:
        raise BadRequest("empty request")
    parts = lines[0].decode("latin-1").split(" ")
    if len(parts) != 3:
        raise BadRequest("bad request line")
    req = Request()
    req.method, req.raw_target, req.version = parts
    for line in lines[1:]:
        if b":" not in line:
            raise BadRequest("bad header line")
        n, v = line.split(b":", 1)
        req.headers.append([n.decode("utf-8", "replace"),
                            v.strip(b" \t").decode("utf-8", "replace")])
    target = req.raw_target
    if "://" in target:  # absolute-form
        target = urllib.parse.urlsplit(target)
        path, query = target.path or "/", target.query
    else:
        path, _, query = target.partition("?")
    req.path = path
    req.query = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))

    if (req.header("Expect") or "").lower() == "100-continue":
        conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
    te = (req.header("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        body = []
        total = 0
        while True:
            line = conn.read_until(b"\r\n", 4096)
            size_s = line.split(b";", 1)[0].strip()
            try:
                size = int(size_s, 16)
            except ValueError:
                raise BadRequest("bad chunk size")
            if size == 0:
                while conn.read_until(b"\r\n", MAX_HEAD) != b"":
                    pass
                break
            total += size
            if total > MAX_BODY:
                raise BadRequest("body too large")
            body.append(conn.read_exact(size))
            if conn.read_exact(2) != b"\r\n":
                raise BadRequest("bad chunk end")
        req.body = b"".join(body)
    else:
        cl = req.header("Content-Length")
        if cl is not None:
            try:
                n = int(cl)
            except ValueError:
                raise BadRequest("bad content-length")
            if n < 0 or n > MAX_BODY:
                raise BadRequest("bad content-length")
            req.body = conn.read_exact(n)
    return req


def record(req):
    if RECORD_FH is None:
        return
    obj = {
        "method": req.method,
        "path": req.path,
        "query": req.query,
        "raw_target": req.raw_target,
        "headers": req.headers,
        "body": req.body.decode("utf-8", "replace"),
        "time": time.time(),
    }
    if req.tls:
        obj["tls"] = req.tls
    line = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
    with RECORD_LOCK:
        RECORD_FH.write(line)
        RECORD_FH.flush()


def reason(code):
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


def status_line(code):
    return "HTTP/1.1 %d %s\r\n" % (code, reason(code))


def respond(conn, req, code, body=b"", ctype="text/plain", headers=()):
    if isinstance(body, str):
        body = body.encode("utf-8")
    out = [status_line(code)]
    if ctype is not None:
        out.append("Content-Type: %s\r\n" % ctype)
    out.append("Content-Length: %d\r\n" % len(body))
    for n, v in headers:
        out.append("%s: %s\r\n" % (n, v))
    out.append("Connection: close\r\n\r\n")
    data = "".join(out).encode("utf-8")
    if req is None or req.method != "HEAD":
        data += body
    conn.send(data)


def respond_json(conn, req, obj, code=200):
    respond(conn, req, code,
            json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
            "application/json")


def qint(req, name, default):
    v = req.q(name)
    if v is None or v == "":
        return default
    try:
        return int(v)
    except ValueError:
        raise BadRequest("query %s is not an integer" % name)


# --------------------------------------------------------------------------
# Endpoints

def h_status(conn, req, rest):
    try:
        code = int(rest)
    except ValueError:
        return respond(conn, req, 400, "bad status code")
    body = req.q("body", "status %d" % code)
    respond(conn, req, code, body, req.q("ctype", "text/plain"))


def h_json(conn, req, rest):
    respond(conn, req, 200, req.q("body", "{}"), "application/json")


def h_chunked(conn, req, rest):
    parts = req.q("parts", "")
    parts = parts.split(",") if parts else []
    bad = req.q("bad") == "1"
    ext = req.q("ext") == "1"
    trailer = req.q("trailer") == "1"
    out = [status_line(200), "Content-Type: text/plain\r\n",
           "Transfer-Encoding: chunked\r\n"]
    if trailer:
        out.append("Trailer: X-Trailer\r\n")
    out.append("Connection: close\r\n\r\n")
    for i, p in enumerate(parts):
        b = p.encode("utf-8")
        if bad and i == len(parts) // 2:
            out.append("zz\r\n")
            conn.send("".join(out) + p + "\r\n")
            return
        size = "%x" % len(b)
        if ext:
            size += ";foo=bar"
        out.append(size + "\r\n" + p + "\r\n")
    if bad:  # no parts: the invalid size line is the only chunk
        out.append("zz\r\n")
        conn.send("".join(out))
        return
    out.append("0;foo=bar\r\n" if ext else "0\r\n")
    if trailer:
        out.append("X-Trailer: trailer-value\r\n")
    out.append("\r\n")
    conn.send("".join(out))


def h_redirect(conn, req, rest):
    to = req.q("to", "/")
    code = qint(req, "code", 302)
    respond(conn, req, code, "redirect to %s" % to, headers=[("Location", to)])


def h_redirect_chain(conn, req, rest):
    try:
        n = int(rest)
    except ValueError:
        return respond(conn, req, 400, "bad count")
    if n > 0:
        loc = "/redirect-chain/%d" % (n - 1)
        respond(conn, req, 302, "redirect", headers=[("Location", loc)])
    else:
        respond(conn, req, 200, "chain done")


def h_loop(conn, req, rest):
    respond(conn, req, 302, "loop", headers=[("Location", "/loop")])


def h_drip(conn, req, rest):
    n = qint(req, "bytes", 10)
    iv = qint(req, "interval_ms", 100) / 1000.0
    code = qint(req, "code", 200)
    conn.send(status_line(code) + "Content-Type: text/plain\r\n"
              "Content-Length: %d\r\nConnection: close\r\n\r\n" % n)
    for _ in range(n):
        time.sleep(iv)
        conn.send(b"x")


def h_drip_headers(conn, req, rest):
    iv = qint(req, "interval_ms", 100) / 1000.0
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    for i in range(len(data)):
        if i:
            time.sleep(iv)
        conn.send(data[i:i + 1])


def h_hang(conn, req, rest):
    conn.wait_client_close()


def h_reset(conn, req, rest):
    at = req.q("at", "headers")
    if at == "body":
        conn.send(status_line(200) + "Content-Type: text/plain\r\n"
                  "Content-Length: 1000\r\n\r\n" + "x" * 10)
    else:
        full = (status_line(200) + "Content-Type: text/plain\r\n"
                "Content-Length: 1000\r\nX-Filler: abcdefghijklmnop\r\n\r\n")
        conn.send(full[:len(full) // 2])
    time.sleep(0.1)  # let the partial data arrive before the RST
    conn.reset()
    raise ClientGone("reset")


GARBAGE = bytes(random.Random(1234).randrange(0, 256) for _ in range(200))
GARBAGE = b"\x00\xff" + GARBAGE[2:]   # never looks like "HTTP/"


def h_garbage(conn, req, rest):
    conn.send(GARBAGE)


def h_huge_header(conn, req, rest):
    n = qint(req, "size", 1 << 20)
    conn.send(status_line(200) + "Content-Type: text/plain\r\nX-Big: ")
    block = b"a" * CHUNK
    left = n
    while left > 0:
        k = min(left, CHUNK)
        conn.send(block[:k])
        left -= k
    conn.send(b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def h_huge_body(conn, req, rest):
    n = qint(req, "size", 1 << 20)
    chunked = req.q("chunked") == "1"
    nolength = req.q("nolength") == "1"
    hdr = status_line(200) + "Content-Type: application/octet-stream\r\n"
    if chunked:
        hdr += "Transfer-Encoding: chunked\r\n"
    elif not nolength:
        hdr += "Content-Length: %d\r\n" % n
    conn.send(hdr + "Connection: close\r\n\r\n")
    if req.method == "HEAD":
        return
    block = b"x" * CHUNK
    left = n
    while left > 0:
        k = min(left, CHUNK)
        if chunked:
            conn.send(b"%x\r\n" % k + block[:k] + b"\r\n")
        else:
            conn.send(block[:k])
        left -= k
    if chunked:
        conn.send(b"0\r\n\r\n")


def h_close_delimited(conn, req, rest):
    body = req.q("body", "close delimited body")
    conn.send(status_line(200) + "Content-Type: text/plain\r\n"
              "Connection: close\r\n\r\n" + body)


def h_content_length(conn, req, rest):
    v = req.q("value", "0")
    body = req.q("body", "")
    hdr = status_line(200) + "Content-Type: text/plain\r\nContent-Length: %s\r\n" % v
    if req.q("value2") is not None:
        hdr += "Content-Length: %s\r\n" % req.q("value2")
    conn.send(hdr + "Connection: close\r\n\r\n" + body)


def h_echo(conn, req, rest):
    respond_json(conn, req, {
        "method": req.method, "path": req.path, "query": req.query,
        "headers": req.headers, "body": req.body.decode("utf-8", "replace"),
    })


def h_svc(conn, req, rest):
    with STATE_LOCK:
        code, body = SVC_STATE.get(rest, (200, None))
    if body is None:
        body = "svc %s ok" % rest
    respond(conn, req, code, body)


def h_toggle(conn, req, rest):
    code = qint(req, "code", 200)
    with STATE_LOCK:
        SVC_STATE[rest] = (code, req.q("body"))
    respond(conn, req, 200, "ok")


def _json_body(req):
    ctype = (req.header("Content-Type") or "").strip().lower()
    if not ctype.startswith("application/json"):
        return None
    try:
        return json.loads(req.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _rate_once(kind, token):
    with STATE_LOCK:
        if (kind, token) in RATE_SEEN:
            return False
        RATE_SEEN.add((kind, token))
        return True


def h_dingtalk(conn, req, rest):
    if req.method != "POST":
        return respond(conn, req, 405, "method not allowed")
    token = req.q("access_token", "")
    if token == "hang":
        return conn.wait_client_close()
    if token == "http500":
        return respond(conn, req, 500, "internal server error")
    if _json_body(req) is None:
        return respond_json(conn, req, {"errcode": 40035, "errmsg": "bad json"})
    if token == "" or token.startswith("bad"):
        return respond_json(conn, req, {"errcode": 300001,
                                        "errmsg": "token is not exist"})
    secret = ARGS.dingtalk_secret
    if secret is not None:
        ts, sign = req.q("timestamp"), req.q("sign")
        ok = False
        if ts is not None and sign is not None:
            mac = hmac.new(secret.encode("utf-8"),
                           (ts + "\n" + secret).encode("utf-8"),
                           hashlib.sha256).digest()
            ok = hmac.compare_digest(base64.b64encode(mac).decode(), sign)
        if not ok:
            return respond_json(conn, req, {"errcode": 310000,
                                            "errmsg": "sign not match"})
    if token == "ratelimit-once" and _rate_once("dingtalk", token):
        return respond_json(conn, req, {"errcode": 130101,
                                        "errmsg": "send too fast"})
    if token == "slow":
        time.sleep(3)
    respond_json(conn, req, {"errcode": 0, "errmsg": "ok"})


def h_wecom(conn, req, rest):
    if req.method != "POST":
        return respond(conn, req, 405, "method not allowed")
    key = req.q("key", "")
    if _json_body(req) is None:
        return respond_json(conn, req, {"errcode": 40035, "errmsg": "bad json"})
    if key == "" or key.startswith("bad"):
        return respond_json(conn, req, {"errcode": 93000,
                                        "errmsg": "invalid webhook url"})
    if key == "ratelimit-once" and _rate_once("wecom", key):
        return respond_json(conn, req, {"errcode": 45009,
                                        "errmsg": "api freq out of limit"})
    respond_json(conn, req, {"errcode": 0, "errmsg": "ok"})


def h_feishu(conn, req, rest):
    if req.method != "POST":
        return respond(conn, req, 405, "method not allowed")
    body = _json_body(req)
    if not isinstance(body, dict):
        return respond_json(conn, req, {"code": 9499, "msg": "Bad Request",
                                        "data": {}}, code=400)
    if rest == "" or rest.startswith("bad"):
        return respond_json(conn, req, {
            "code": 19001,
            "msg": "param invalid: incoming webhook access token invalid"})
    secret = ARGS.feishu_secret
    if secret is not None:
        ts, sign = body.get("timestamp"), body.get("sign")
        ok = False
        if isinstance(ts, str) and ts.isdigit() and isinstance(sign, str):
            mac = hmac.new((ts + "\n" + secret).encode("utf-8"), b"",
                           hashlib.sha256).digest()
            ok = hmac.compare_digest(base64.b64encode(mac).decode(), sign)
        if not ok:
            return respond_json(conn, req, {
                "code": 19021,
                "msg": "sign match fail or timestamp is not within one hour "
                       "from current time"})
    respond_json(conn, req, {"code": 0, "msg": "success", "data": {}})


def h_report(conn, req, rest):
    if req.method != "POST":
        return respond(conn, req, 405, "method not allowed")
    respond_json(conn, req, {"ok": True})


def h_report_fail(conn, req, rest):
    respond_json(conn, req, {"ok": False}, code=500)


EXACT = {
    "/json": h_json,
    "/chunked": h_chunked,
    "/redirect": h_redirect,
    "/loop": h_loop,
    "/drip": h_drip,
    "/drip-headers": h_drip_headers,
    "/hang": h_hang,
    "/reset": h_reset,
    "/garbage": h_garbage,
    "/huge-header": h_huge_header,
    "/huge-body": h_huge_body,
    "/close-delimited": h_close_delimited,
    "/content-length": h_content_length,
    "/echo": h_echo,
    "/robot/send": h_dingtalk,
    "/cgi-bin/webhook/send": h_wecom,
    "/report": h_report,
    "/webhook": h_report,
    "/report-fail": h_report_fail,
}
PREFIX = [
    ("/status/", h_status),
    ("/redirect-chain/", h_redirect_chain),
    ("/svc/", h_svc),
    ("/toggle/", h_toggle),
    ("/open-apis/bot/v2/hook/", h_feishu),
    ("/hooks/", h_report),
    ("/hook-fail/", h_report_fail),
]


def dispatch(conn, req):
    h = EXACT.get(req.path)
    if h is not None:
        return h(conn, req, "")
    for prefix, h in PREFIX:
        if req.path.startswith(prefix):
            return h(conn, req, req.path[len(prefix):])
    respond(conn, req, 404, "not found")


# --------------------------------------------------------------------------
# Server plumbing

def serve_raw(sock):
    sock.settimeout(0.2)
    end = time.monotonic() + 0.2
    try:
        while time.monotonic() < end:
            if not sock.recv(65536):
                break
    except (socket.timeout, OSError, ssl.SSLError):
        pass
    sock.settimeout(10)
    with open(ARGS.raw_file, "rb") as f:
        data = f.read()
    try:
        sock.sendall(data)
    except (OSError, ssl.SSLError):
        pass


def handle(sock, ssl_ctx):
    try:
        if ssl_ctx is not None and ARGS.also_plain:
            # One port for both: a TLS connection starts with a handshake
            # record (0x16); anything else is served as plain HTTP.
            sock.settimeout(READ_TIMEOUT)
            if sock.recv(1, socket.MSG_PEEK) != b"\x16":
                ssl_ctx = None
        if ssl_ctx is not None:
            sock.settimeout(READ_TIMEOUT)
            try:
                sock = ssl_ctx.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log("TLS handshake failed: %s" % e)
                return
        if ARGS.raw_file:
            return serve_raw(sock)
        sock.settimeout(READ_TIMEOUT)
        conn = Conn(sock)
        try:
            req = read_request(conn)
        except BadRequest as e:
            try:
                respond(conn, None, 400, "bad request: %s\n" % e)
            except ClientGone:
                pass
            return
        if isinstance(sock, ssl.SSLSocket):
            req.tls = sock.version()
        record(req)
        sock.settimeout(60)
        try:
            dispatch(conn, req)
        except BadRequest as e:
            respond(conn, req, 400, "bad request: %s\n" % e)
    except ClientGone:
        return
    except Exception:
        log(traceback.format_exc())
    finally:
        try:
            if isinstance(sock, ssl.SSLSocket) and sock.fileno() >= 0:
                try:
                    sock.settimeout(1)
                    sock.unwrap()
                except (ssl.SSLError, OSError, ValueError):
                    pass
            # Half-close then drain briefly so unread input does not turn the
            # close into an RST that could eat the tail of our response.
            if sock.fileno() >= 0:
                try:
                    sock.shutdown(socket.SHUT_WR)
                    sock.settimeout(0.5)
                    end = time.monotonic() + 0.5
                    while time.monotonic() < end and sock.recv(65536):
                        pass
                except (OSError, ssl.SSLError, ValueError):
                    pass
            sock.close()
        except (OSError, ValueError):
            pass


def log(msg):
    try:
        sys.stderr.write("mockserver: %s\n" % msg.rstrip())
        sys.stderr.flush()
    except Exception:
        pass


def main():
    global ARGS, RECORD_FH
    ap = argparse.ArgumentParser(
        description="HTTP/1.1 mock server that can misbehave on purpose.",
        epilog=ENDPOINTS, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port-file")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--also-plain", action="store_true",
                    help="with --tls, also serve plain HTTP on the same port")
    ap.add_argument("--tls-max", choices=("1.1", "1.2", "1.3"),
                    help="newest TLS version to speak (1.1: also TLS 1.0, at OpenSSL security level 0)")
    ap.add_argument("--record")
    ap.add_argument("--raw-file")
    ap.add_argument("--dingtalk-secret")
    ap.add_argument("--feishu-secret")
    ARGS = ap.parse_args()

    def on_signal(signum, frame):
        os._exit(0)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    if ARGS.record:
        RECORD_FH = open(ARGS.record, "a", encoding="utf-8")

    ssl_ctx = None
    if ARGS.tls:
        ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_ctx.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
        if ARGS.tls_max:
            with warnings.catch_warnings():  # TLSv1/TLSv1_1 are deprecated names
                warnings.simplefilter("ignore", DeprecationWarning)
                if ARGS.tls_max == "1.1":
                    # OpenSSL 3 refuses TLS < 1.2 above security level 0.
                    ssl_ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                    ssl_ctx.minimum_version = ssl.TLSVersion.TLSv1
                ssl_ctx.maximum_version = {"1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2,
                                           "1.3": ssl.TLSVersion.TLSv1_3}[ARGS.tls_max]

    host = ARGS.bind
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, ARGS.port))
    srv.listen(128)
    port = srv.getsockname()[1]
    if ARGS.port_file:
        tmp = ARGS.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, ARGS.port_file)

    while True:
        try:
            sock, _ = srv.accept()
        except OSError:
            continue
        t = threading.Thread(target=handle, args=(sock, ssl_ctx), daemon=True)
        t.start()


if __name__ == "__main__":
    main()
