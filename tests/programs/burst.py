#!/usr/bin/python3
"""Burns one core for SECONDS (default 3) of CPU time after start, then
sleeps forever.

usage: burst.py [SECONDS] [DONEFILE]
The busy phase ends after SECONDS of CPU time (or 4 x SECONDS of wall time
on a starved machine); DONEFILE is created then. Its lifetime cpu average
(what `ps -o %cpu` shows) stays high long after it went idle.
"""
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
done = sys.argv[2] if len(sys.argv) > 2 else None
wall_end = time.monotonic() + 4 * seconds
while time.process_time() < seconds and time.monotonic() < wall_end:
    pass
if done:
    open(done, "w").close()
while True:
    time.sleep(3600)
