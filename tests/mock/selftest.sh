#!/bin/bash
# Developer self-test for the mock servers (not part of the suite).
# Usage: tests/mock/selftest.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
D=$(mktemp -d /tmp/hc-mock-selftest.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
  rm -rf "$D"
}
trap cleanup EXIT
FAILS=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; FAILS=$((FAILS+1)); }
check() { # what expected actual
  if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi
}
has() { # what haystack needle
  if [[ "$2" == *"$3"* ]]; then ok "$1"; else bad "$1: [$2] lacks [$3]"; fi
}
wait_file() { local i; for i in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "timeout waiting for $1"; exit 1; }
C() { curl -sS --noproxy '*' --max-time 10 "$@"; }

# ---- HTTP mock -------------------------------------------------------------
$PY "$HERE/mockserver.py" --port 0 --port-file "$D/http.port" --record "$D/req.jsonl" \
  --dingtalk-secret dsecret --feishu-secret fsecret 2>"$D/http.err" & PIDS+=($!)
wait_file "$D/http.port"; P=$(cat "$D/http.port"); U=http://127.0.0.1:$P

check "status 503 code" 503 "$(C -o /dev/null -w '%{http_code}' "$U/status/503")"
check "status body" "status 503" "$(C "$U/status/503")"
check "status custom" "hi there|text/html" "$(C -w '|%{content_type}' "$U/status/200?body=hi%20there&ctype=text/html")"
check "json" '{"a":1}' "$(C "$U/json?body=%7B%22a%22%3A1%7D")"
check "chunked" "abc" "$(C "$U/chunked?parts=a,b,c&ext=1&trailer=1")"
raw=$(printf 'GET /chunked?parts=hello,world&ext=1&trailer=1 HTTP/1.1\r\nHost: x\r\n\r\n' | $PY -c '
import socket,sys; s=socket.create_connection(("127.0.0.1",'$P')); s.sendall(sys.stdin.buffer.read())
b=b""
while True:
    d=s.recv(65536)
    if not d: break
    b+=d
sys.stdout.write(b.split(b"\r\n\r\n",1)[1].decode()+"END")')
check "chunked raw" $'5;foo=bar\r\nhello\r\n5;foo=bar\r\nworld\r\n0;foo=bar\r\nX-Trailer: trailer-value\r\n\r\nEND' "$raw"
C "$U/chunked?parts=a,b,c&bad=1" >/dev/null 2>&1; rc=$?
check "chunked bad -> curl error" "yes" "$([ $rc -ne 0 ] && echo yes)"
check "redirect chain" "chain done" "$(C -L "$U/redirect-chain/3")"
check "redirect location" "http://example.invalid/x" "$(C -o /dev/null -w '%{redirect_url}' "$U/redirect?to=http://example.invalid/x")"
check "loop" 302 "$(C -o /dev/null -w '%{http_code}' "$U/loop")"
C -L --max-redirs 5 "$U/loop" >/dev/null 2>&1; check "loop max-redirs" 47 "$?"
t0=$(date +%s%3N); b=$(C "$U/drip?bytes=5&interval_ms=50"); t1=$(date +%s%3N)
check "drip body" xxxxx "$b"; [ $((t1-t0)) -ge 200 ] && ok "drip slow ($((t1-t0)) ms)" || bad "drip too fast"
check "drip-headers" ok "$(C "$U/drip-headers?interval_ms=5")"
C --max-time 1 "$U/hang" >/dev/null 2>&1; check "hang -> timeout" 28 "$?"
C "$U/reset?at=headers" >/dev/null 2>"$D/e"; rc=$?; check "reset headers rc" 56 "$rc"
C "$U/reset?at=body" >/dev/null 2>"$D/e"; rc=$?; check "reset body rc" 56 "$rc"
C "$U/garbage" >/dev/null 2>&1; rc=$?; check "garbage -> error" yes "$([ $rc -ne 0 ] && echo yes)"
check "huge-header 1MB" "1000000 ok" "$($PY -c '
import socket; s=socket.create_connection(("127.0.0.1",'$P')); s.sendall(b"GET /huge-header?size=1000000 HTTP/1.1\r\nHost: x\r\n\r\n")
b=b""
while True:
    d=s.recv(65536)
    if not d: break
    b+=d
h,body=b.split(b"\r\n\r\n",1); v=[l for l in h.split(b"\r\n") if l.startswith(b"X-Big: ")][0][7:]
print(len(v), body.decode())')"
check "huge-body" 1000000 "$(C "$U/huge-body?size=1000000" | wc -c)"
check "huge-body chunked" 1000000 "$(C "$U/huge-body?size=1000000&chunked=1" | wc -c)"
check "huge-body nolength" 1000000 "$(C "$U/huge-body?size=1000000&nolength=1" | wc -c)"
# client abort on a 100 MB header must not produce errors
C --max-time 1 "$U/huge-header?size=100000000" >/dev/null 2>&1
check "close-delimited" "bye" "$(C "$U/close-delimited?body=bye")"
check "content-length" "hello" "$(C "$U/content-length?value=5&body=hello")"
C "$U/content-length?value=5&value2=7&body=hello" >/dev/null 2>&1; rc=$?
check "duplicate content-length rejected by curl" yes "$([ $rc -ne 0 ] && echo yes)"
e=$(C -X PUT -H 'X-Test: 1' --data 'payload' "$U/echo?a=1&a=2&b=x%20y")
has "echo method" "$e" '"method":"PUT"'; has "echo query" "$e" '"a":"2"'; has "echo body" "$e" '"body":"payload"'
has "echo headers" "$e" '["X-Test","1"]'
check "svc default" "svc web ok" "$(C "$U/svc/web")"
check "toggle" ok "$(C "$U/toggle/web?code=503&body=down")"
check "svc toggled" "down|503" "$(C -w '|%{http_code}' "$U/svc/web")"
check "404" "not found|404" "$(C -w '|%{http_code}' "$U/nope")"
check "HEAD" "" "$(C -I "$U/status/200" | grep -c '^status' | sed 's/0//')"

# DingTalk (secret dsecret)
J=(-H 'Content-Type: application/json' --data '{"msgtype":"text","text":{"content":"hi"}}')
check "dingtalk no sign" '{"errcode":310000,"errmsg":"sign not match"}' "$(C "${J[@]}" "$U/robot/send?access_token=t1")"
ts=$(date +%s%3N)
sign=$($PY -c 'import hmac,hashlib,base64,sys,urllib.parse; s=b"dsecret"; print(urllib.parse.quote(base64.b64encode(hmac.new(s, sys.argv[1].encode()+b"\n"+s, hashlib.sha256).digest()).decode(), safe=""))' "$ts")
check "dingtalk signed" '{"errcode":0,"errmsg":"ok"}' "$(C "${J[@]}" "$U/robot/send?access_token=t1&timestamp=$ts&sign=$sign")"
check "dingtalk bad sign" '{"errcode":310000,"errmsg":"sign not match"}' "$(C "${J[@]}" "$U/robot/send?access_token=t1&timestamp=$ts&sign=AAAA")"
check "dingtalk bad token" '{"errcode":300001,"errmsg":"token is not exist"}' "$(C "${J[@]}" "$U/robot/send?access_token=bad1")"
check "dingtalk bad json" '{"errcode":40035,"errmsg":"bad json"}' "$(C -H 'Content-Type: application/json' --data '{x' "$U/robot/send?access_token=t1")"
check "dingtalk http500" 500 "$(C -o /dev/null -w '%{http_code}' "${J[@]}" "$U/robot/send?access_token=http500")"
check "dingtalk ratelimit 1" 130101 "$(C "${J[@]}" "$U/robot/send?access_token=ratelimit-once&timestamp=$ts&sign=$sign" | $PY -c 'import json,sys;print(json.load(sys.stdin)["errcode"])')"
check "dingtalk ratelimit 2" 0 "$(C "${J[@]}" "$U/robot/send?access_token=ratelimit-once&timestamp=$ts&sign=$sign" | $PY -c 'import json,sys;print(json.load(sys.stdin)["errcode"])')"
C --max-time 1 "${J[@]}" "$U/robot/send?access_token=hang" >/dev/null 2>&1; check "dingtalk hang" 28 "$?"
# WeCom
check "wecom ok" '{"errcode":0,"errmsg":"ok"}' "$(C "${J[@]}" "$U/cgi-bin/webhook/send?key=k1")"
check "wecom bad" 93000 "$(C "${J[@]}" "$U/cgi-bin/webhook/send?key=bad" | $PY -c 'import json,sys;print(json.load(sys.stdin)["errcode"])')"
check "wecom ratelimit" "45009 0" "$(C "${J[@]}" "$U/cgi-bin/webhook/send?key=ratelimit-once" | $PY -c 'import json,sys;print(json.load(sys.stdin)["errcode"])') $(C "${J[@]}" "$U/cgi-bin/webhook/send?key=ratelimit-once" | $PY -c 'import json,sys;print(json.load(sys.stdin)["errcode"])')"
# Feishu (secret fsecret)
fts=$(date +%s)
fsign=$($PY -c 'import hmac,hashlib,base64,sys; print(base64.b64encode(hmac.new(sys.argv[1].encode()+b"\nfsecret", b"", hashlib.sha256).digest()).decode())' "$fts")
check "feishu signed" '{"code":0,"msg":"success","data":{}}' "$(C -H 'Content-Type: application/json' --data "{\"timestamp\":\"$fts\",\"sign\":\"$fsign\",\"msg_type\":\"text\",\"content\":{\"text\":\"hi\"}}" "$U/open-apis/bot/v2/hook/abc")"
check "feishu unsigned" 19021 "$(C "${J[@]}" "$U/open-apis/bot/v2/hook/abc" | $PY -c 'import json,sys;print(json.load(sys.stdin)["code"])')"
check "feishu bad id" 19001 "$(C "${J[@]}" "$U/open-apis/bot/v2/hook/bad-id" | $PY -c 'import json,sys;print(json.load(sys.stdin)["code"])')"
check "report" '{"ok":true}' "$(C "${J[@]}" "$U/report")"
check "webhook" '{"ok":true}' "$(C "${J[@]}" "$U/webhook")"
check "report-fail" 500 "$(C -o /dev/null -w '%{http_code}' "${J[@]}" "$U/report-fail")"
# chunked request body
check "chunked request body" '"body":"abc"' "$(C -H 'Transfer-Encoding: chunked' --data abc "$U/echo" | grep -o '"body":"abc"')"
# record file
n=$($PY -c '
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
r=[x for x in rows if x["path"]=="/echo" and x["method"]=="PUT"][0]
assert r["query"]=={"a":"2","b":"x y"}, r
assert r["raw_target"]=="/echo?a=1&a=2&b=x%20y", r
assert ["X-Test","1"] in r["headers"] and r["body"]=="payload" and isinstance(r["time"],float)
print(len(rows))' "$D/req.jsonl") && ok "record file ($n lines)" || bad "record file"
if [ -s "$D/http.err" ]; then bad "mockserver stderr not empty: $(head -c 2000 "$D/http.err")"; else ok "no server errors"; fi

# SIGTERM with a hanging connection exits promptly
C --max-time 5 "$U/hang" >/dev/null 2>&1 & cpid=$!
sleep 0.3; t0=$(date +%s%3N); kill "${PIDS[0]}"; wait "${PIDS[0]}"; t1=$(date +%s%3N); PIDS[0]=
[ $((t1-t0)) -lt 500 ] && ok "SIGTERM exit in $((t1-t0)) ms" || bad "SIGTERM took $((t1-t0)) ms"
wait $cpid 2>/dev/null

# ---- raw-file mode -----------------------------------------------------------
printf 'NOT HTTP AT ALL\n' > "$D/raw.bin"
$PY "$HERE/mockserver.py" --port 0 --port-file "$D/raw.port" --raw-file "$D/raw.bin" & PIDS+=($!)
wait_file "$D/raw.port"
check "raw-file" "NOT HTTP AT ALL" "$(printf 'GET / HTTP/1.1\r\n\r\n' | $PY -c '
import socket,sys; s=socket.create_connection(("127.0.0.1",'$(cat "$D/raw.port")')); s.sendall(sys.stdin.buffer.read())
b=b""
while True:
    d=s.recv(65536)
    if not d: break
    b+=d
sys.stdout.write(b.decode())')"

# ---- IPv6 --------------------------------------------------------------------
if $PY -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
  $PY "$HERE/mockserver.py" --bind ::1 --port 0 --port-file "$D/v6.port" & PIDS+=($!)
  wait_file "$D/v6.port"
  check "ipv6" "status 200" "$(C "http://[::1]:$(cat "$D/v6.port")/status/200")"
else
  echo "skip ipv6 (no ::1)"
fi

# ---- TLS ---------------------------------------------------------------------
K=$D/pki; mkdir -p "$K"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=hc-selftest-ca -keyout "$K/ca.key" -out "$K/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj /CN=localhost -keyout "$K/server.key" -out "$K/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' > "$K/ext.cnf"
openssl x509 -req -in "$K/server.csr" -CA "$K/ca.crt" -CAkey "$K/ca.key" \
  -CAcreateserial -days 2 -extfile "$K/ext.cnf" -out "$K/server.crt" 2>/dev/null
$PY "$HERE/mockserver.py" --port 0 --port-file "$D/tls.port" --tls "$K/server.crt" "$K/server.key" \
  2>"$D/tls.err" & PIDS+=($!)
wait_file "$D/tls.port"; TU=https://127.0.0.1:$(cat "$D/tls.port")
check "tls status" "status 200" "$(C --cacert "$K/ca.crt" "$TU/status/200")"
check "tls localhost" "ok" "$(C --cacert "$K/ca.crt" --resolve "localhost:$(cat "$D/tls.port"):127.0.0.1" "https://localhost:$(cat "$D/tls.port")/toggle/x")"
check "tls close-delimited" "bye" "$(C --cacert "$K/ca.crt" "$TU/close-delimited?body=bye")"
check "tls huge-body" 300000 "$(C --cacert "$K/ca.crt" "$TU/huge-body?size=300000" | wc -c)"
C --cacert "$K/ca.crt" "$TU/reset?at=body" >/dev/null 2>&1; rc=$?; check "tls reset -> error" yes "$([ $rc -ne 0 ] && echo yes)"
C "$TU/status/200" >/dev/null 2>&1; check "tls untrusted -> 60" 60 "$?"

# ---- DNS ---------------------------------------------------------------------
DNSQ="$D/dnsq.py"
cat > "$DNSQ" <<'PYEOF'
import socket, struct, sys, random
def q(port, name, qtype, tcp=False, timeout=1.0):
    qid = random.randrange(65536)
    msg = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for l in name.split("."):
        msg += bytes([len(l)]) + l.encode()
    msg += b"\0" + struct.pack("!HH", qtype, 1)
    if tcp:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(struct.pack("!H", len(msg)) + msg)
        n = struct.unpack("!H", s.recv(2))[0]; r = b""
        while len(r) < n: r += s.recv(n - len(r))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(timeout)
        s.sendto(msg, ("127.0.0.1", port))
        try: r = s.recv(65535)
        except socket.timeout: return "timeout"
    rid, fl, qd, an, ns, ar = struct.unpack("!HHHHHH", r[:12])
    if rid != qid: return "wrongid"
    def name_at(off):
        labels = []; jumps = 0
        while True:
            n = r[off]
            if n & 0xC0 == 0xC0:
                off = ((n & 0x3F) << 8) | r[off+1]; jumps += 1
                assert jumps < 10; continue
            if n == 0: return ".".join(labels), off + 1
            labels.append(r[off+1:off+1+n].decode()); off += 1 + n
    def skip_name(off):
        while True:
            n = r[off]
            if n & 0xC0 == 0xC0: return off + 2
            if n == 0: return off + 1
            off += 1 + n
    off = skip_name(12) + 4
    out = ["rcode=%d" % (fl & 15)]
    if fl & 0x200: out.append("TC")
    if fl & 0x400: out.append("AA")
    for _ in range(an):
        nm, _ = name_at(off); off = skip_name(off)
        t, c, ttl, rl = struct.unpack("!HHIH", r[off:off+10]); off += 10
        rd = r[off:off+rl]
        if t == 1: v = socket.inet_ntop(socket.AF_INET, rd)
        elif t == 28: v = socket.inet_ntop(socket.AF_INET6, rd)
        elif t == 5: v = name_at(off)[0]
        else: v = rd.hex()
        off += rl
        out.append("%s/%d/%d/%s" % (nm, t, ttl, v))
    return " ".join(out)
a = sys.argv
print(q(int(a[1]), a[2], int(a[3]), len(a) > 4 and a[4] == "tcp"))
PYEOF
startdns() { # mode portfile
  $PY "$HERE/dnsserver.py" --port 0 --port-file "$2" --record "$D/dns.jsonl" --mode "$1" \
    --a svc.test=10.0.0.1 --a svc.test=10.0.0.2 --aaaa svc.test=fd00::1 --a v4only.test=10.0.0.3 & PIDS+=($!)
  wait_file "$2"; DP=$(cat "$2")
}
startdns normal "$D/dns1.port"
check "dns A" "rcode=0 AA SVC.Test/1/60/10.0.0.1 SVC.Test/1/60/10.0.0.2" "$($PY "$DNSQ" $DP SVC.Test 1)"
check "dns AAAA" "rcode=0 AA svc.test/28/60/fd00::1" "$($PY "$DNSQ" $DP svc.test 28)"
check "dns nodata" "rcode=0 AA" "$($PY "$DNSQ" $DP v4only.test 28)"
check "dns nxdomain" "rcode=3 AA" "$($PY "$DNSQ" $DP nope.test 1)"
check "dns tcp" "rcode=0 AA svc.test/1/60/10.0.0.1 svc.test/1/60/10.0.0.2" "$($PY "$DNSQ" $DP svc.test 1 tcp)"
startdns truncate "$D/dns2.port"
check "dns truncate udp" "rcode=0 TC AA" "$($PY "$DNSQ" $DP svc.test 1)"
check "dns truncate tcp" "rcode=0 AA svc.test/1/60/10.0.0.1 svc.test/1/60/10.0.0.2" "$($PY "$DNSQ" $DP svc.test 1 tcp)"
startdns cname "$D/dns3.port"
check "dns cname" "rcode=0 AA www.svc.test/5/60/svc.test svc.test/1/60/10.0.0.1 svc.test/1/60/10.0.0.2" "$($PY "$DNSQ" $DP www.svc.test 1)"
startdns wrongid "$D/dns4.port"
check "dns wrongid" "wrongid" "$($PY "$DNSQ" $DP svc.test 1)"
startdns silent "$D/dns5.port"
check "dns silent" "timeout" "$($PY "$DNSQ" $DP svc.test 1)"
startdns garbage "$D/dns6.port"
$PY "$DNSQ" $DP svc.test 1 >/dev/null 2>&1 || true; ok "dns garbage (answered)"
check "dns record" '{"name":"SVC.Test","qtype":"A","qtype_num":1,"transport":"udp"' "$(head -1 "$D/dns.jsonl" | cut -c1-62)"
has "dns record tcp" "$(cat "$D/dns.jsonl")" '"transport":"tcp"'

echo
if [ $FAILS -eq 0 ]; then echo "selftest: all passed"; else echo "selftest: $FAILS failed"; exit 1; fi
