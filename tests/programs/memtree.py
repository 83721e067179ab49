#!/usr/bin/python3
"""A small parent whose children hold the memory (a pre-fork server).

usage: memtree.py CHILDREN MB_EACH READY_FILE
Forks CHILDREN processes; each fills MB_EACH of memory for real (b'x' * N
touches every page) and sleeps. The parent stays small; when every child
has filled its memory the parent writes READY_FILE. All exit with the
parent's process group (supervisord stops the group: stopasgroup=true).
"""
import os
import sys
import time

children, mb, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
pipes = []
for _ in range(children):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        hold = b"x" * (mb * 1024 * 1024)
        os.write(w, b"1")
        while True:
            time.sleep(3600)
    os.close(w)
    pipes.append(r)
for r in pipes:
    os.read(r, 1)
with open(ready, "w") as f:
    f.write("ready\n")
while True:
    time.sleep(3600)
