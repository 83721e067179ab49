#!/bin/sh
# Crash loop: runs for ${1:-1} s, then exits 1. Appends its pid to $2 if given.
[ -n "${2:-}" ] && echo $$ >> "$2"
sleep "${1:-1}"
exit 1
