#!/bin/bash
# Container mode targets beyond http(s):// (issue 13, items 3 and 5):
# tcp:// (connect), tls:// (connect + handshake), https:// and tls:// with
# a client certificate (--cert/--key) against a server that REQUIRES one,
# and unix:// HTTP over a unix socket. Real servers on loopback only.
. "$(dirname "$0")/../lib.sh"

# A TCP listener that accepts and closes; sets TCP_PORT and TCP_PID.
start_tcp_listener() {
  cat > "$T/listen.py" <<'PY'
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    c.close()
PY
  start_bg "$PY" "$T/listen.py" "$T/tcp.port"
  TCP_PID=$!
  wait_file "$T/tcp.port"
  TCP_PORT=$(cat "$T/tcp.port")
}

# An HTTPS server that REQUIRES a client certificate from the test CA
# (python ssl, CERT_REQUIRED); answers "mtls ok client=CN path=PATH".
# start_mtls_server [1.2|1.3] -> MTLS_PORT
start_mtls_server() {
  local max=${1:-1.3}
  cat > "$T/mtls.py" <<'PY'
import http.server, os, ssl, sys
cert, key, ca, portfile, tls_max = sys.argv[1:6]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        peer = self.connection.getpeercert() or {}
        cn = dict(x[0] for x in peer.get("subject", ())).get("commonName", "")
        body = ("mtls ok client=%s path=%s\n" % (cn, self.path)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.maximum_version = ssl.TLSVersion.TLSv1_2 if tls_max == "1.2" else ssl.TLSVersion.TLSv1_3
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
PY
  local pf=$T/mtls.port.$RANDOM
  start_bg "$PY" "$T/mtls.py" "$T/pki/server.crt" "$T/pki/server.key" "$T/pki/ca.crt" "$pf" "$max" 2>>"$T/mtls.err"
  wait_file "$pf"
  MTLS_PORT=$(cat "$pf")
}

# An HTTP server on a unix socket (docker.sock-style): /_ping -> 200 "OK",
# / -> 200 with the path and Host header, anything else 404.
start_unix_server() {
  SOCK=$T/app.sock
  cat > "$T/unix_http.py" <<'PY'
import http.server, os, socketserver, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/_ping":
            code, body = 200, b"OK"
        elif self.path.startswith("/?") or self.path == "/":
            code, body = 200, ("root path=%s host=%s" % (self.path, self.headers.get("Host"))).encode()
        else:
            code, body = 404, b"no such page"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

srv = Server(sys.argv[1], Handler)
open(sys.argv[1] + ".ready", "w").write("1")
srv.serve_forever()
PY
  start_bg "$PY" "$T/unix_http.py" "$SOCK"
  wait_file "$SOCK.ready"
}

# A client certificate from the test CA: $T/pki/client.{crt,key}, CN hc-client.
make_client_cert() {
  local d=$T/pki
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=hc-client \
    -keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null
  openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -out "$d/client.crt" 2>/dev/null
  [ -s "$d/client.crt" ] || _fail "could not make the client certificate"
}

mtls_setup() { make_pki; make_client_cert; start_mtls_server "$@"; }

# probe URL [args...] -> RC/OUT/ERR with a fresh state file $T/st.
probe() {
  local url=$1; shift
  rm -f "$T/st"
  run "$HC" -n probe -u "$url" -f "$T/st" -t 5000 "$@"
}

test_tcp_connect_passes() {
  start_tcp_listener
  probe "tcp://127.0.0.1:$TCP_PORT"
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  assert_contains "$OUT" "probe pass: TCP connect to 127.0.0.1:$TCP_PORT in "
  assert_file_eq "$T/st" 2
  # The default name is the URL itself.
  rm -f "$T/st"
  run "$HC" -u "tcp://localhost:$TCP_PORT" -f "$T/st" -t 5000
  assert_eq 0 "$RC" "rc localhost: $OUT $ERR"
  assert_contains "$OUT" "tcp://localhost:$TCP_PORT pass: TCP connect to "
}

test_tcp_refused_fails() {
  start_tcp_listener
  kill "$TCP_PID"; wait "$TCP_PID" 2>/dev/null
  probe "tcp://127.0.0.1:$TCP_PORT"
  assert_eq 10 "$RC" "rc: $OUT $ERR"
  assert_contains "$OUT" "connect 127.0.0.1:$TCP_PORT: Connection refused"
  assert_file_eq "$T/st" 1
}

test_tcp_usage_errors() {
  start_tcp_listener
  local args
  for args in "-m OK" "-r http://127.0.0.1:9/report"; do
    probe "tcp://127.0.0.1:$TCP_PORT" $args
    assert_eq 2 "$RC" "rc with $args: $OUT $ERR"
    assert_contains "$ERR" "needs an HTTP target: tcp:// checks only connect, there is no body"
    [ ! -e "$T/st" ] || _fail "state file written on a usage error ($args)"
  done
  for args in "-H X-A:1" "--regex ok" "--method=HEAD"; do
    probe "tls://127.0.0.1:$TCP_PORT" $args
    assert_eq 2 "$RC" "rc with $args: $OUT $ERR"
    assert_contains "$ERR" "an HTTP target"
    assert_contains "$ERR" "tls://"
  done
  probe "tcp://127.0.0.1"
  assert_eq 2 "$RC" "rc without a port"
  assert_contains "$ERR" "tcp:// URLs need a port (tcp://host:port)"
  probe "tcp://127.0.0.1:$TCP_PORT/health"
  assert_eq 2 "$RC" "rc with a path"
  assert_contains "$ERR" "tcp:// URLs take no path or query"
  probe "tls://u:hunter2@127.0.0.1:$TCP_PORT"
  assert_eq 2 "$RC" "rc with userinfo"
  assert_not_contains "$OUT$ERR" "hunter2"
}

test_tls_handshake_with_client_cert_passes() {
  local max
  make_pki; make_client_cert
  for max in 1.3 1.2; do
    start_mtls_server $max
    probe "tls://127.0.0.1:$MTLS_PORT" --cert "$T/pki/client.crt" --key "$T/pki/client.key"
    assert_eq 0 "$RC" "rc, TLS up to $max: $OUT $ERR"
    assert_contains "$OUT" "probe pass: TLS handshake with 127.0.0.1:$MTLS_PORT in "
  done
}

# The server requires a client certificate: without one the check fails.
# In TLS 1.2 the refusal ends the handshake; in TLS 1.3 it comes right
# after it (the client finishes first), and must still fail the check.
test_tls_without_client_cert_fails() {
  local max
  make_pki; make_client_cert
  for max in 1.3 1.2; do
    start_mtls_server $max
    probe "tls://127.0.0.1:$MTLS_PORT"
    assert_eq 10 "$RC" "rc, TLS up to $max: $OUT $ERR"
    assert_contains "$OUT" "client certificate" "TLS $max"
    assert_file_eq "$T/st" 1
  done
}

test_tls_on_a_plain_tcp_port_fails() {
  start_tcp_listener
  probe "tls://127.0.0.1:$TCP_PORT"
  assert_eq 10 "$RC" "rc: $OUT $ERR"
  # The listener closes at once: a reset or a closed connection, whichever
  # the kernel reports first, during the handshake.
  assert_contains "$OUT" "127.0.0.1:$TCP_PORT"
}

# tls:// follows the https rules: unverified unless --verify; --verify
# checks the chain against --cacert and the name (SNI from the host).
test_tls_verify_rules() {
  mtls_setup
  local c=(--cert "$T/pki/client.crt" --key "$T/pki/client.key")
  probe "tls://localhost:$MTLS_PORT" --verify --cacert "$T/pki/ca.crt" "${c[@]}"
  assert_eq 0 "$RC" "rc verified: $OUT $ERR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=other-ca -keyout "$T/other.key" -out "$T/other.crt" 2>/dev/null
  probe "tls://localhost:$MTLS_PORT" --verify --cacert "$T/other.crt" "${c[@]}"
  assert_eq 10 "$RC" "rc wrong CA: $OUT $ERR"
  assert_contains "$OUT" "certificate verification failed"
  probe "tls://localhost:$MTLS_PORT" --cacert "$T/other.crt" "${c[@]}"
  assert_eq 0 "$RC" "rc unverified: $OUT $ERR"
}

test_https_with_client_cert() {
  mtls_setup
  probe "https://127.0.0.1:$MTLS_PORT/health?x=1" --cert "$T/pki/client.crt" --key "$T/pki/client.key" \
    -m "mtls ok client=hc-client path=/health?x=1"
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  probe "https://localhost:$MTLS_PORT/health" --verify --cacert "$T/pki/ca.crt" \
    --cert "$T/pki/client.crt" --key "$T/pki/client.key" -m "client=hc-client"
  assert_eq 0 "$RC" "rc verified: $OUT $ERR"
  probe "https://127.0.0.1:$MTLS_PORT/health"
  assert_eq 10 "$RC" "rc without a client certificate: $OUT $ERR"
  assert_contains "$OUT" "the server requires a client certificate"
  # A request still being written when the refusal arrives: the write
  # fails (EPIPE/reset) with the TLS 1.3 alert unread; it still says why.
  local big i
  big=$(head -c 100000 /dev/zero | tr '\0' x)
  for i in 1 2 3; do
    probe "https://127.0.0.1:$MTLS_PORT/health" --method POST --data "$big"
    assert_eq 10 "$RC" "rc without a client certificate, big body: $OUT $ERR"
    assert_contains "$OUT" "the server requires a client certificate" "big body, try $i"
  done
}

# Key files are never echoed: unreadable, unparsable, encrypted and
# mismatched keys are usage errors (exit 2, state file untouched) naming
# the file only.
test_client_key_errors_name_the_file_only() {
  mtls_setup
  local d=$T/pki u="https://127.0.0.1:$MTLS_PORT/"
  local keybody
  keybody=$(sed -n 2p "$d/client.key")
  probe "$u" --cert "$d/client.crt" --key "$d/missing.key"
  assert_eq 2 "$RC" "rc missing key"
  assert_contains "$ERR" "cannot read client key $d/missing.key"
  printf -- '-----BEGIN PRIVATE KEY-----\nS3CRETKEYMATERIALxyz\n-----END PRIVATE KEY-----\n' > "$d/garbage.key"
  probe "$u" --cert "$d/client.crt" --key "$d/garbage.key"
  assert_eq 2 "$RC" "rc garbage key"
  assert_contains "$ERR" "cannot parse client key $d/garbage.key"
  assert_not_contains "$OUT$ERR" "S3CRETKEYMATERIAL"
  # The same files from HC_CERT / HC_KEY (exec-form HEALTHCHECK without flags).
  HC_CERT="$d/client.crt" HC_KEY="$d/garbage.key" probe "$u"
  assert_eq 2 "$RC" "rc garbage key from HC_KEY"
  assert_contains "$ERR" "cannot parse client key $d/garbage.key"
  assert_not_contains "$OUT$ERR" "S3CRETKEYMATERIAL"
  openssl pkey -in "$d/client.key" -aes-128-cbc -passout pass:pw -out "$d/enc8.key" 2>/dev/null
  openssl pkey -in "$d/client.key" -aes-128-cbc -passout pass:pw -traditional -out "$d/enctrad.key" 2>/dev/null
  local k
  for k in enc8 enctrad; do
    grep -q ENCRYPTED "$d/$k.key" || _fail "$k.key is not encrypted"
    probe "$u" --cert "$d/client.crt" --key "$d/$k.key"
    assert_eq 2 "$RC" "rc $k"
    assert_contains "$ERR" "client key $d/$k.key is encrypted; give an unencrypted key"
  done
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/other.key" 2>/dev/null
  probe "$u" --cert "$d/client.crt" --key "$d/other.key"
  assert_eq 2 "$RC" "rc mismatched key"
  assert_contains "$ERR" "client key $d/other.key does not match certificate $d/client.crt"
  # The key given as the certificate: named, not quoted.
  probe "$u" --cert "$d/client.key" --key "$d/client.key"
  assert_eq 2 "$RC" "rc key as certificate"
  assert_contains "$ERR" "client certificate $d/client.key"
  probe "$u" --cert "$d/client.crt"
  assert_eq 2 "$RC" "rc --cert alone"
  assert_contains "$ERR" "--cert and --key go together"
  probe "http://127.0.0.1:$MTLS_PORT/" --cert "$d/client.crt" --key "$d/client.key"
  assert_eq 2 "$RC" "rc --cert with http://"
  assert_contains "$ERR" "--cert/--key need an https:// or tls:// URL"
  [ ! -e "$T/st" ] || _fail "state file written on a usage error"
  # A working run and every failing one above: no key line on any channel.
  probe "$u" --cert "$d/client.crt" --key "$d/client.key" -m "mtls ok"
  assert_eq 0 "$RC" "rc good key: $OUT $ERR"
  assert_not_contains "$OUT$ERR" "$keybody"
  assert_not_contains "$OUT$ERR" "PRIVATE KEY"
}

test_unix_socket_http() {
  start_unix_server
  probe "unix://$SOCK:/_ping" -m OK
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  assert_contains "$OUT" "probe pass: HTTP 200 from unix://$SOCK:/_ping in "
  # No request path: "/"; the Host header is "localhost" (as curl --unix-socket).
  probe "unix://$SOCK" -m "root path=/ host=localhost"
  assert_eq 0 "$RC" "rc root: $OUT $ERR"
  probe "unix://$SOCK:/?token=s3cret" -m "root path=/?token=s3cret"
  assert_eq 0 "$RC" "rc query: $OUT $ERR"
  assert_contains "$OUT" "unix://$SOCK:/?token=***"
  assert_not_contains "$OUT$ERR" "s3cret"
  probe "unix://$SOCK:/nope"
  assert_eq 10 "$RC" "rc 404: $OUT $ERR"
  assert_contains "$OUT" "HTTP 404"
}

test_unix_socket_missing_fails() {
  probe "unix://$T/absent.sock:/_ping"
  assert_eq 10 "$RC" "rc: $OUT $ERR"
  assert_contains "$OUT" "connect unix:$T/absent.sock: No such file or directory"
  probe "unix://$T/x.sock?path=/_ping"
  assert_eq 2 "$RC" "rc ?path=: $OUT $ERR"
  assert_contains "$ERR" "the request path goes after ':'"
}

run_tests
