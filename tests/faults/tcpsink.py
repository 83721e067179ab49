#!/usr/bin/python3
"""TCP listener for the many-checks tests: a deep accept queue (listen
backlog 4096, capped by net.core.somaxconn) and an accept loop that closes
every connection at once, so 1,000 connects in the same millisecond all
complete. (tests/mock/mockserver.py listens with a backlog of 128; past
that the kernel drops SYNs and connects stall for the 1 s retransmit.)

usage: tcpsink.py PORT_FILE
"""
import os
import socket
import sys

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(4096)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    c.close()
