#!/usr/bin/python3
"""Grows its RSS for real, step by step, on its first run only.

usage: memhog.py TARGET_MB MARKER
If MARKER does not exist: create it, then fill TARGET_MB of memory in 10 MB
steps (b'x' * N touches every page) and sleep. If MARKER exists (a restart):
stay small and sleep.
"""
import os
import sys
import time

target, marker = int(sys.argv[1]), sys.argv[2]
chunks = []
if not os.path.exists(marker):
    open(marker, "w").close()
    while len(chunks) * 10 < target:
        chunks.append(b"x" * (10 * 1024 * 1024))
        time.sleep(0.1)
while True:
    time.sleep(3600)
