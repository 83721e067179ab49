#!/usr/bin/python3
"""Regenerates the seed corpora in tests/fuzz/corpus/<target>/ from real
messages: raw HTTP responses captured (bytes exactly as on the wire) from
tests/mock/mockserver.py and, when installed, a throwaway nginx on
127.0.0.1; DNS replies from tests/mock/dnsserver.py; SMTP replies from
tests/mock/smtpserver.py (aiosmtpd); the XML-RPC and YAML fixtures in
tests/data; plus hand-picked argv/URL/JSON/hosts files. Loopback only.

    /usr/bin/python3 tests/fuzz/seeds.py          # rewrite the seed-* files

Files are named seed-<what>; other files in the corpus folders (kept from
fuzzing runs by `make fuzz-merge`) are left alone.
"""

import glob
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
PY = "/usr/bin/python3"


def save(target, name, data, keep_existing=False):
    # The targets are the files tests/fuzz/*.cpp (the one list).
    if not os.path.exists(os.path.join(ROOT, "tests", "fuzz", target + ".cpp")):
        raise SystemExit("seeds.py: %s is not a fuzz target (no tests/fuzz/%s.cpp)" % (target, target))
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path = os.path.join(d, "seed-" + name)
    if keep_existing and os.path.exists(path):
        return  # random content (dnsserver --mode garbage): no churn
    with open(path, "wb") as f:
        f.write(data)


def wait_port_file(path, proc):
    for _ in range(200):
        if os.path.exists(path) and open(path).read().strip():
            return int(open(path).read().strip())
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def raw_http(port, request, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(request)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            if len(out) > 256 * 1024:
                break
    except socket.timeout:
        pass
    s.close()
    return out


def get(port, path, method="GET", extra=""):
    req = "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: healthcheck/0.1.0\r\n" \
          "Accept: */*\r\nConnection: close\r\n%s\r\n" % (method, path, port, extra)
    return raw_http(port, req.encode())


def http_seeds(tmp):
    pf = os.path.join(tmp, "mock.port")
    proc = subprocess.Popen([PY, os.path.join(ROOT, "tests/mock/mockserver.py"),
                             "--port", "0", "--port-file", pf])
    try:
        port = wait_port_file(pf, proc)
        paths = {
            "ok": "/status/200?body=OK",
            "404": "/status/404?body=nope",
            "204": "/status/204",
            "304": "/status/304",
            "500": "/status/500?body=boom&ctype=text/plain",
            "json": "/json?body=%7B%22a%22%3A1%2C%22b%22%3A%5B1%2C2%5D%7D",
            "chunked": "/chunked?parts=hello,world",
            "chunked-ext": "/chunked?parts=a,bb,ccc&ext=1",
            "chunked-trailer": "/chunked?parts=x,y&trailer=1",
            "chunked-bad": "/chunked?parts=a,b&bad=1",
            "redirect": "/redirect?to=/status/200&code=302",
            "redirect-abs": "/redirect?to=http://127.0.0.1:1/x?y=1&code=301",
            "redirect-chain": "/redirect-chain/2",
            "close-delimited": "/close-delimited?body=until-close",
            "content-length-list": "/content-length?value=5,%205&body=hello",
            "content-length-conflict": "/content-length?value=5&value2=6&body=hello",
            "huge-header": "/huge-header?size=2000",
            "huge-body": "/huge-body?size=3000",
            "huge-body-chunked": "/huge-body?size=3000&chunked=1",
            "garbage": "/garbage",
        }
        for name, path in paths.items():
            wire = get(port, path)
            save("http_response", "mock-" + name, b"\x00\x00" + wire)
            if b"chunked" in wire.split(b"\r\n\r\n", 1)[0].lower():
                body = wire.split(b"\r\n\r\n", 1)[1]
                save("http_chunked", "mock-" + name, b"\x00\x00" + body)
        head = get(port, "/status/200?body=OK", method="HEAD")
        save("http_response", "mock-head", b"\x01\x00" + head)
    finally:
        proc.terminate()
        proc.wait()


NGINX_CONF = """
worker_processes 1;
daemon off;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %(tmp)s/cb; proxy_temp_path %(tmp)s/px;
    fastcgi_temp_path %(tmp)s/fc; uwsgi_temp_path %(tmp)s/uw; scgi_temp_path %(tmp)s/sc;
    types { text/html html; application/json json; text/plain txt; }
    server {
        listen 127.0.0.1:%(port)d;
        root %(tmp)s/www;
        gzip on; gzip_min_length 1; gzip_types application/json text/plain;
        location = /health { return 200 '{"status":"UP"}'; }
        location = /moved { return 301 /health; }
        location = /teapot { return 418; }
    }
}
"""


def nginx_seeds(tmp):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        print("nginx not installed; skipping nginx seeds")
        return
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    www = os.path.join(tmp, "www")
    os.makedirs(os.path.join(www, "dir"))
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("<html><body>ok</body></html>\n")
    with open(os.path.join(www, "data.json"), "w") as f:
        f.write('{"status":"UP","checks":[{"name":"db","status":"UP"}]}\n' * 4)
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {"tmp": tmp, "port": port})
    proc = subprocess.Popen([nginx, "-c", conf, "-p", tmp],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    print("nginx failed to start; skipping")
                    return
                time.sleep(0.05)
        reqs = {
            "index": ("/index.html", "GET", ""),
            "404": ("/missing", "GET", ""),
            "dir-redirect": ("/dir", "GET", ""),
            "health": ("/health", "GET", ""),
            "moved": ("/moved", "GET", ""),
            "teapot": ("/teapot", "GET", ""),
            "gzip-chunked": ("/data.json", "GET", "Accept-Encoding: gzip\r\n"),
            "head": ("/index.html", "HEAD", ""),
            "not-modified": ("/index.html", "GET", "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"),
            "range": ("/index.html", "GET", "Range: bytes=0-3\r\n"),
            "bad-request": (None, None, None),
        }
        for name, (path, method, extra) in reqs.items():
            if path is None:
                wire = raw_http(port, b"GARBAGE\r\n\r\n")
            else:
                wire = get(port, path, method, extra)
            flag = b"\x01" if method == "HEAD" else b"\x00"
            save("http_response", "nginx-" + name, flag + b"\x00" + wire)
            if b"chunked" in wire.split(b"\r\n\r\n", 1)[0].lower():
                save("http_chunked", "nginx-" + name, b"\x00\x00" + wire.split(b"\r\n\r\n", 1)[1])
    finally:
        proc.terminate()
        proc.wait()


def dns_query(qid, name, qtype):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack("!HH", qtype, 1)


def dns_seeds(tmp):
    for mode in ("normal", "cname", "truncate", "garbage"):
        pf = os.path.join(tmp, "dns.%s.port" % mode)
        proc = subprocess.Popen([PY, os.path.join(ROOT, "tests/mock/dnsserver.py"), "--port", "0",
                                 "--port-file", pf, "--mode", mode,
                                 "--a", "svc.test=127.0.0.1", "--a", "svc.test=10.0.0.2",
                                 "--aaaa", "svc.test=::1", "--aaaa", "v6.test=2001:db8::1"])
        try:
            port = wait_port_file(pf, proc)
            names = [("svc.test", 1), ("svc.test", 28), ("v6.test", 1), ("nx.test", 1),
                     ("www.svc.test", 1), ("www.svc.test", 28)]
            for i, (name, qtype) in enumerate(names):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(2)
                s.sendto(dns_query(0x4000 + i, name, qtype), ("127.0.0.1", port))
                try:
                    reply, _ = s.recvfrom(4096)
                except socket.timeout:
                    continue
                finally:
                    s.close()
                mode_byte = bytes([1 if qtype == 28 else 0])
                save("dns", "%s-%s-%s" % (mode, name, "aaaa" if qtype == 28 else "a"), mode_byte + reply,
                     keep_existing=(mode == "garbage"))
        finally:
            proc.terminate()
            proc.wait()


def smtp_seeds(tmp):
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        print("aiosmtpd missing; using only the hand-written SMTP seeds")
        return
    pf = os.path.join(tmp, "smtp.port")
    proc = subprocess.Popen([PY, os.path.join(ROOT, "tests/mock/smtpserver.py"), "--port", "0",
                             "--port-file", pf, "--user", "u", "--password", "p"])
    try:
        port = wait_port_file(pf, proc)
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        f = s.makefile("rb")

        def reply():
            lines = []
            while True:
                line = f.readline()
                if not line:
                    break
                lines.append(line)
                if len(line) < 4 or line[3:4] != b"-":
                    break
            return b"".join(lines)

        convo = [(None, "greeting"), (b"EHLO fuzz.test\r\n", "ehlo"), (b"HELO x\r\n", "helo"),
                 (b"AUTH PLAIN AHUAcA==\r\n", "auth-ok"), (b"MAIL FROM:<a@b>\r\n", "mail"),
                 (b"RCPT TO:<c@d>\r\n", "rcpt"), (b"DATA\r\n", "data"),
                 (b"Subject: x\r\n\r\nhi\r\n.\r\n", "data-end"), (b"BOGUS\r\n", "bogus"),
                 (b"QUIT\r\n", "quit")]
        for send, name in convo:
            if send:
                s.sendall(send)
            save("smtp_reply", "aiosmtpd-" + name, reply())
        s.close()
    finally:
        proc.terminate()
        proc.wait()


def file_seeds():
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/data/xmlrpc/*.xml"))):
        save("xmlrpc", os.path.basename(p), open(p, "rb").read())
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/data/configs/*.yaml"))):
        save("yaml_config", os.path.basename(p), open(p, "rb").read())
    for name, data in STATIC.items():
        target, _, rest = name.partition("/")
        save(target, rest, data)


# Hand-written inputs in the shapes real software produces (Debian's
# /etc/hosts and a Docker resolv.conf, Postfix/Gmail/Exchange SMTP replies,
# Spring Boot actuator JSON, the argv forms of README.md).
STATIC = {
    "hosts/debian-hosts": "127.0.0.1\tlocalhost\n127.0.1.1\tbuild.example.org\tbuild\n\n"
        "# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n"
        "ff02::1 ip6-allnodes\nff02::2 ip6-allrouters\nfe80::1%eth0 linklocal\n",
    "hosts/docker-hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        "172.17.0.2\t3f4e5d6c7b8a\n10.0.0.5 db.internal db # the database\n",
    "hosts/docker-resolv.conf": "# Generated by Docker Engine.\nnameserver 127.0.0.11\n"
        "search svc.cluster.local cluster.local\noptions ndots:0 timeout:2 attempts:3\n",
    "hosts/k8s-resolv.conf": "nameserver 10.96.0.10\nnameserver 2001:db8::53\nnameserver 8.8.8.8\n"
        "nameserver 1.1.1.1\nsearch default.svc.cluster.local svc.cluster.local\noptions ndots:5 timeout:99 attempts:0 rotate\n",
    "smtp_reply/postfix-greeting": "220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n",
    "smtp_reply/postfix-ehlo": "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
        "250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
        "250-SMTPUTF8\r\n250 CHUNKING\r\n",
    "smtp_reply/gmail-ehlo": "250-smtp.gmail.com at your service, [203.0.113.7]\r\n250-SIZE 35882577\r\n"
        "250-8BITMIME\r\n250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    "smtp_reply/old-auth-equals": "250-legacy.example\r\n250-AUTH=LOGIN PLAIN\r\n250-AUTH LOGIN\r\n250 OK\r\n",
    "smtp_reply/auth-fail": "535 5.7.8 Authentication credentials invalid\r\n",
    "smtp_reply/gmail-auth-fail": "535-5.7.8 Username and Password not accepted. Learn more at\r\n"
        "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1sm1.2 - gsmtp\r\n",
    "smtp_reply/auth-login": "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n",
    "smtp_reply/exchange-greeting": "220 EX01.corp.example Microsoft ESMTP MAIL Service ready at Mon, 1 Jan 2024 00:00:00 +0000\r\n",
    "smtp_reply/queued": "250 2.0.0 Ok: queued as 4XyZ1234\r\n221 2.0.0 Bye\r\n",
    "smtp_reply/tempfail": "421 4.7.0 Try again later, closing connection.\r\n",
    "url/plain": "http://example.com/health\n/next",
    "url/https-port-query": "https://api.example.com:8443/v1/status?verbose=1&x=%20y#frag\n../up?z=1",
    "url/userinfo": "http://user:p%40ss@127.0.0.1:8080/\n//other.example/x",
    "url/ipv6": "http://[::1]:9000/a/b/c\n?only=query",
    "url/ipv6-default": "https://[2001:db8::1]/\nhttps://[2001:db8::2]:444/z",
    "url/dots": "http://h/a/b/c/d;p?q\n../../g",
    "url/rfc3986-abnormal": "http://a/b/c/d;p?q\n./../../../g/./h/../i",
    "url/relative": "http://svc.local:80/dir/page.html\nother.html#top",
    "url/absolute-redirect": "http://a.example/\nHTTPS://B.EXAMPLE:443/Path",
    "url/bad-scheme": "ftp://example.com/\njavascript:alert(1)",
    "url/underscore-host": "http://my_service.internal:3000\n/",
    "url/tcp": "tcp://127.0.0.1:5432\n/x",
    "url/tls": "tls://[::1]:8443/\n/",
    "url/unix": "unix:///var/run/docker.sock:/_ping?x=1#f\n/v1.41/info",
    "state_file/starting": "1",
    "state_file/passing-newline": "2\n",
    "state_file/failing-crlf": "3\r\n",
    "state_file/recovered-spaces": "  4  ",
    "state_file/empty": "",
    "state_file/zero": "0",
    "state_file/two-digits": "12",
    "state_file/nul": "\0",
    "state_file/text": "passing\n",
    "argv/basic": "-n\0web\0-u\0http://127.0.0.1:8080/health\0-t\0003000",
    "argv/equals": "--name=web\0--url=https://example.com/\0-t=500\0-m:UP\0--file:/tmp/status",
    "argv/tokens": "-u\0http://x/\0token1\0token2:SEC123\0--wecom\0key\0--feishu=id:sec\0--webhook\0http://hook/",
    "argv/help": "-h",
    "argv/version": "--version",
    "argv/double-dash": "-u\0http://x/\0--\0-n=literal\0--insecure",
    "argv/report": "-u\0http://x/\0-r\0http://collector/report\0--cacert\0/etc/ssl/ca.pem\0--verify\0--insecure",
    "argv/bad-timeout": "-u\0http://x/\0-t\0abc",
    "argv/missing-url": "-n\0only-name",
    "report_json/actuator": '{"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL"}},'
        '"diskSpace":{"status":"UP","details":{"total":499963174912,"free":91300020224}}}}\n',
    "report_json/existing-fields": '{"status":"DOWN","name":"x","ua":1,"refer":null,"extra":[1,2.5,-3e10,true,false]}',
    "report_json/unicode": '{"msg":"\\u4f60\\u597d \\ud83d\\ude00","esc":"\\"\\\\\\/\\b\\f\\n\\r\\t"}',
    "report_json/empty-object": "  {}  \r\n",
    "report_json/array": "[1,2,3]",
    "report_json/trailing": '{"a":1} x',
    "report_json/big-int": '{"n":9223372036854775807,"m":-9223372036854775808,"f":1.7976931348623157e308}',
    "xmlrpc/fault-python": "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n"
        "<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_NAME: foo</string></value>\n"
        "</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
    "xmlrpc/types": "<?xml version=\"1.0\"?><!-- c --><methodResponse><params><param><value><array><data>"
        "<value><i4>-7</i4></value><value><i8>4102444800</i8></value><value><boolean>1</boolean></value>"
        "<value><double>-1.5e3</double></value><value>bare &amp; text</value><value><nil/></value>"
        "<value><dateTime.iso8601>20240101T00:00:00</dateTime.iso8601></value><value><string>&#x4F60;&#20320;&lt;&gt;</string></value>"
        "<value/><value><struct></struct></value><value><array><data/></array></value>"
        "</data></array></value></param></params></methodResponse>",
}


def main():
    with tempfile.TemporaryDirectory(prefix="hc-seeds.") as tmp:
        file_seeds()
        http_seeds(tmp)
        nginx_seeds(tmp)
        dns_seeds(tmp)
        smtp_seeds(tmp)
    for t in sorted(os.listdir(CORPUS)):
        print("%-14s %d files" % (t, len(os.listdir(os.path.join(CORPUS, t)))))


if __name__ == "__main__":
    main()
