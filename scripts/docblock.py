#!/usr/bin/python3
"""Replaces one generated block of a Markdown file, leaving the rest alone.

A block runs from `<!-- NAME:begin -->` to `<!-- NAME:end -->` (both kept,
as the text written supplies them). Several scripts own blocks of the same
file (docs/BENCHMARKS.md, docs/RELIABILITY.md); each replaces only its own.
A missing block is appended; a missing file is created with TITLE.

CLI:  scripts/docblock.py FILE NAME [TITLE] < block-text
"""
import os
import sys


def replace(path, name, text, title="# Benchmarks\n"):
    begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
    cur = open(path, encoding="utf-8").read() if os.path.exists(path) else title + "\n"
    if not text.endswith("\n"):
        text += "\n"
    if begin in cur and end in cur and cur.index(begin) < cur.index(end):
        a = cur.index(begin)
        b = cur.index(end) + len(end)
        if cur[b:b + 1] == "\n":
            b += 1
        new = cur[:a] + text + cur[b:]
    else:
        new = cur.rstrip("\n") + "\n\n" + text
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, path)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: docblock.py FILE NAME [TITLE] < text")
    replace(sys.argv[1], sys.argv[2], sys.stdin.read(), *(sys.argv[3:4]))
