#!/usr/bin/python3
"""Test SMTP server on aiosmtpd (Debian python3-aiosmtpd 1.4.3).

  --port 0 --port-file F   bind 127.0.0.1 (0 = any free port), write the port to F
  --mode plain|starttls|ssl|nogreet|dropdata
        starttls: STARTTLS offered, AUTH only after it (auth_require_tls=True)
        ssl:      implicit TLS; aiosmtpd does not know the session is
                  encrypted, so auth_require_tls=False
        nogreet:  raw socket server, accepts TCP and never says anything
        dropdata: plain SMTP that drops the connection once the message
                  data has been received (no final reply)
  --cert C --key K         server certificate (starttls, ssl)
  --user U --password P    accepted credentials (AUTH PLAIN and LOGIN)
  --auth-mechs LIST        offered mechanisms, e.g. LOGIN (default PLAIN,LOGIN)
  --maildir DIR            each message saved as DIR/N.eml, envelope as DIR/N.json
  --wire-log FILE          listen through a relay that appends every byte the
                           client sends to FILE, as it is on the wire (after
                           STARTTLS or with ssl: the TLS records)
  --verbose                show aiosmtpd's log
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys

import logging

from aiosmtpd.smtp import SMTP, AuthResult


class Handler:
    def __init__(self, maildir, dropdata, implicit_tls):
        self.maildir = maildir
        self.implicit_tls = implicit_tls
        self.dropdata = dropdata
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.dropdata:
            server.transport.abort()
            return "250 never sent"
        if self.maildir:
            self.count += 1
            base = os.path.join(self.maildir, "%d" % self.count)
            with open(base + ".eml.tmp", "wb") as f:
                f.write(envelope.original_content)
            meta = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "auth_login": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
                "auth_mech": getattr(session, "hc_auth_mech", None),
                "tls": session.ssl is not None or self.implicit_tls,
            }
            with open(base + ".json", "w") as f:
                json.dump(meta, f)
            os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 OK queued"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (user is not None and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        if ok:
            session.hc_auth_mech = mechanism
            return AuthResult(success=True, handled=False, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)
    return authenticate


async def nogreet_client(reader, writer):
    try:
        await reader.read()  # say nothing until the client leaves
    finally:
        writer.close()


def wire_relay(inner_port, wire_log):
    """A plain TCP relay in front of the server: what the client sends is
    logged before it is forwarded, so tests see exactly what was on the wire."""
    async def pipe(src, dst, log):
        try:
            while True:
                data = await src.read(65536)
                if not data:
                    break
                if log:
                    with open(wire_log, "ab") as f:
                        f.write(data)
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            dst.close()

    async def handle(reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", inner_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))

    return handle


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--mode", default="plain",
                    choices=["plain", "starttls", "ssl", "nogreet", "dropdata"])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--auth-mechs", default="PLAIN,LOGIN")
    ap.add_argument("--maildir")
    ap.add_argument("--wire-log")
    ap.add_argument("--verbose", action="store_true", help="aiosmtpd's log (quiet by default)")
    a = ap.parse_args()
    # aiosmtpd logs a deprecation warning on every AUTH and a traceback for
    # every failed TLS handshake: noise for tests that expect failures.
    logging.basicConfig(level=logging.INFO if a.verbose else logging.CRITICAL)
    logging.getLogger("mail.log").setLevel(logging.INFO if a.verbose else logging.CRITICAL)

    loop = asyncio.get_running_loop()
    listen_port = 0 if a.wire_log else a.port  # the relay takes --port
    ctx = None
    if a.mode in ("starttls", "ssl"):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    if a.maildir:
        os.makedirs(a.maildir, exist_ok=True)

    if a.mode == "nogreet":
        server = await asyncio.start_server(nogreet_client, "127.0.0.1", listen_port)
    else:
        handler = Handler(a.maildir, a.mode == "dropdata", a.mode == "ssl")
        offered = {m.strip().upper() for m in a.auth_mechs.split(",") if m.strip()}
        exclude = [m for m in ("PLAIN", "LOGIN") if m not in offered]

        def factory():
            return SMTP(handler,
                        hostname="mock.smtp.test",
                        tls_context=ctx if a.mode == "starttls" else None,
                        auth_require_tls=(a.mode == "starttls"),
                        auth_exclude_mechanism=exclude,
                        authenticator=make_authenticator(a.user, a.password),
                        loop=loop)

        server = await loop.create_server(factory, "127.0.0.1", listen_port,
                                          ssl=ctx if a.mode == "ssl" else None)
    port = server.sockets[0].getsockname()[1]
    if a.wire_log:
        open(a.wire_log, "wb").close()
        server = await asyncio.start_server(wire_relay(port, a.wire_log), "127.0.0.1", a.port)
        port = server.sockets[0].getsockname()[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, a.port_file)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
