#!/usr/bin/python3
"""Burns one core until killed (a busy loop)."""
while True:
    pass
