#!/usr/bin/python3
"""Mock of the WeCom (WeChat Work) application message API for the
supervise_wechat shell tests. Standard library only; loopback only.

GET  /cgi-bin/gettoken?corpid=C&corpsecret=S   -> a new access_token
POST /cgi-bin/message/send?access_token=T      -> errcode 0 (or 42001/40014)
POST /cgi-bin/webhook/send?key=K               -> errcode 0 (a WeCom robot)

Every request is checked exactly against the command line (method, path,
query keys and values, Content-Type, the JSON body's keys and values); a
mismatch is answered with errcode 40001/40003 and listed under "problems"
in the record. One JSON line per request goes to --record, with the token
issued or used, so the test can prove no token reached any output.
"""

import argparse
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
TOKENS = {}          # token -> expiry (time.time())
STATE = {"issued": 0, "rejected": 0}


def record(obj):
    with LOCK, open(ARGS.record, "a") as f:
        f.write(json.dumps(obj, ensure_ascii=False) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def parts(self):
        u = urllib.parse.urlsplit(self.path)
        return u.path, urllib.parse.parse_qs(u.query, keep_blank_values=True)

    def do_GET(self):
        path, q = self.parts()
        rec = {"method": "GET", "path": path, "query": q, "problems": []}
        if path != "/cgi-bin/gettoken":
            rec["problems"].append("unexpected GET " + path)
            record(rec)
            return self.reply({"errcode": 404, "errmsg": "no such path"})
        if sorted(q) != ["corpid", "corpsecret"] or any(len(v) != 1 for v in q.values()):
            rec["problems"].append("query keys %r" % sorted(q))
        if q.get("corpid") != [ARGS.corpid]:
            rec["problems"].append("corpid %r" % q.get("corpid"))
        if q.get("corpsecret") != [ARGS.secret]:
            rec["problems"].append("corpsecret mismatch")
        if rec["problems"]:
            record(rec)
            return self.reply({"errcode": 40001, "errmsg": "invalid credential"})
        with LOCK:
            STATE["issued"] += 1
            token = "TOK%d-%s" % (STATE["issued"], secrets.token_hex(12))
            TOKENS[token] = time.time() + ARGS.expires_in
        rec["token"] = token
        record(rec)
        self.reply({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": ARGS.expires_in})

    def do_POST(self):
        path, q = self.parts()
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        rec = {"method": "POST", "path": path, "query": q, "problems": [], "body": raw.decode("utf-8", "replace")}
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("application/json"):
            rec["problems"].append("content-type %r" % ctype)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
            rec["problems"].append("body is not JSON")
        if path == "/cgi-bin/webhook/send":
            if q.get("key") != [ARGS.robot_key]:
                rec["problems"].append("robot key mismatch")
            if not isinstance(body, dict) or body.get("msgtype") != "markdown":
                rec["problems"].append("robot body %r" % body)
            record(rec)
            return self.reply({"errcode": 0, "errmsg": "ok"})
        if path != "/cgi-bin/message/send":
            rec["problems"].append("unexpected POST " + path)
            record(rec)
            return self.reply({"errcode": 404, "errmsg": "no such path"})
        token = (q.get("access_token") or [""])[0]
        rec["token"] = token
        if sorted(q) != ["access_token"]:
            rec["problems"].append("query keys %r" % sorted(q))
        want = {"msgtype": "text", "agentid": ARGS.agentid}
        for k in ("touser", "toparty", "totag"):
            v = getattr(ARGS, k)
            if v:
                want[k] = v
        if isinstance(body, dict):
            content = (body.get("text") or {}).get("content") if isinstance(body.get("text"), dict) else None
            got = {k: v for k, v in body.items() if k != "text"}
            if got != want:
                rec["problems"].append("body fields %r != %r" % (got, want))
            if sorted(body.get("text", {})) != ["content"] or not isinstance(content, str) or not content:
                rec["problems"].append("text %r" % body.get("text"))
            elif len(content.encode()) > 2048:
                rec["problems"].append("content longer than 2048 bytes")
        if rec["problems"]:
            record(rec)
            return self.reply({"errcode": 40003, "errmsg": "invalid request"})
        with LOCK:
            expiry = TOKENS.get(token)
            reject = STATE["rejected"] < ARGS.reject_sends
            if expiry is not None and reject:
                STATE["rejected"] += 1
        if expiry is None or expiry < time.time():
            rec["answer"] = 40014
            record(rec)
            return self.reply({"errcode": 40014, "errmsg": "invalid access_token"})
        if reject:
            rec["answer"] = 42001
            record(rec)
            return self.reply({"errcode": 42001, "errmsg": "access_token expired"})
        rec["answer"] = 0
        record(rec)
        self.reply({"errcode": 0, "errmsg": "ok", "invaliduser": ""})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--corpid", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--agentid", type=int, required=True)
    p.add_argument("--touser", default="")
    p.add_argument("--toparty", default="")
    p.add_argument("--totag", default="")
    p.add_argument("--robot-key", default="")
    p.add_argument("--expires-in", type=int, default=7200)
    p.add_argument("--reject-sends", type=int, default=0, help="answer 42001 to the first N valid sends")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
