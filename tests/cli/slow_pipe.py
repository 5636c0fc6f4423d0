#!/usr/bin/env python3
"""slow_pipe.py -- runs COMMAND ARG... (a wippy-run running
tests/guests/write_bytes.c) with its stdout on a non-blocking pipe read in
small, slow steps, so the guest's writes meet a full pipe; prints
"bytes N status S" (N: the bytes read, in the order the pattern of
write_bytes.c gives, else "bytes N corrupt")."""
import fcntl
import os
import subprocess
import sys
import time

cmd = sys.argv[1:]
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(cmd, stdout=w, stderr=subprocess.DEVNULL)
os.close(w)
got, ok = 0, True
while True:
    time.sleep(0.001)
    b = os.read(r, 16384)
    if not b:
        break
    ok = ok and all(c == ord("a") + (got + i) % (64 * 1024) % 26 for i, c in enumerate(b))
    got += len(b)
print(f"bytes {got} status {p.wait()}" + ("" if ok else " corrupt"))
