#!/usr/bin/python3
"""Writes a supervise config with N tcp checks to stdout.

usage: gen_checks.py N SOCKET PORT PROGRAM DELAY PERIOD [TIMEOUT]

Every check is "type: tcp" against 127.0.0.1:PORT for PROGRAM, with
initialDelaySeconds DELAY, periodSeconds PERIOD and timeoutSeconds TIMEOUT
(default: not set), action none (a failing probe restarts nothing). Names are c00000, c00001, ...
"""
import sys


def main():
    n, sock, port, program, delay, period = sys.argv[1:7]
    timeout = sys.argv[7] if len(sys.argv) > 7 else None
    out = ["config:", "  supervisordUrl: unix://" + sock]
    for i in range(int(n)):
        out += ["c%05d:" % i,
                "  program: " + program,
                "  type: tcp",
                "  host: 127.0.0.1",
                "  port: " + port,
                "  periodSeconds: " + period,
                "  initialDelaySeconds: " + delay,
                "  action: none"]
        if timeout:
            out.append("  timeoutSeconds: " + timeout)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
