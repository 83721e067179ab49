#!/usr/bin/python3
"""A real gRPC server (python3-grpcio, the C-core HTTP/2 stack) serving
grpc.health.v1.Health/Check for tests/shell/container_grpc.sh. Debian's
python3-grpcio has no grpc_health package, so the service is a generic
handler with the two tiny protobuf messages encoded by hand:
HealthCheckRequest{service = 1: string}, HealthCheckResponse{status = 1:
enum}. Unknown services get NOT_FOUND, as the standard servicer does.

    grpcserver.py --port-file F [--tls CERT KEY] [--status SERVICE=N ...] [--hang SERVICE]

SERVICE may be empty ("=1" is the server as a whole, the default SERVING).
--hang SERVICE: Check for SERVICE does not answer for 60 s (a deadline
test). Loopback only.
"""
import argparse
import os
import signal
import sys
import time
from concurrent import futures

import grpc


def parse_service(request):
    """HealthCheckRequest bytes -> service name (field 1); other fields skipped."""
    i, service = 0, ""
    def varint():
        nonlocal i
        shift = value = 0
        while True:
            b = request[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value
    while i < len(request):
        key = varint()
        kind = key & 7
        if kind == 0:
            varint()
        elif kind == 2:
            n = varint()
            if key >> 3 == 1:
                service = request[i:i + n].decode()
            i += n
        elif kind == 1:
            i += 8
        elif kind == 5:
            i += 4
        else:
            raise ValueError("bad protobuf")
    return service


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--status", action="append", default=[])
    ap.add_argument("--hang", action="append", default=[])
    args = ap.parse_args()
    statuses = {"": 1}
    for item in args.status:
        name, _, value = item.partition("=")
        statuses[name] = int(value)

    def check(request, context):
        service = parse_service(request)
        if service in args.hang:
            time.sleep(60)
        if service not in statuses:
            context.abort(grpc.StatusCode.NOT_FOUND, 'unknown service "%s"' % service)
        status = statuses[service]
        return bytes([0x08, status]) if status else b""

    handler = grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health",
        {"Check": grpc.unary_unary_rpc_method_handler(check)},  # bytes in, bytes out
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    if args.tls:
        with open(args.tls[0], "rb") as f:
            cert = f.read()
        with open(args.tls[1], "rb") as f:
            key = f.read()
        port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([(key, cert)]))
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    # os._exit: a hung Check sleeps in a pool thread that sys.exit would join.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.wait_for_termination()


if __name__ == "__main__":
    main()
