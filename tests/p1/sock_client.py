#!/usr/bin/env python3
# sock_client.py — the host side of sock_echo.c: runs
# `wippy-run run --tcplisten 127.0.0.1:PORT sock_echo.core.wasm -- 3` (PORT a
# free loopback port), waits for the guest's "ready" line (its non-blocking
# accept has already seen no client), connects, sends one line and reads the
# echo until the guest shuts its side down, then closes.
#   sock_client.py PATH/TO/wippy-run PATH/TO/sock_echo.core.wasm
# Prints the guest's output and what the client got; exit status 0 when the
# guest exited 0 and the echo is exactly "echo: hello wippy\n".
import socket
import subprocess
import sys

tool, wasm = sys.argv[1], sys.argv[2]
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
proc = subprocess.Popen([tool, "run", "--tcplisten", f"127.0.0.1:{port}", wasm, "--", "3"],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
out = []
for line in proc.stdout:
    out.append(line)
    if line.strip() == "ready":
        break
got = b""
try:
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(b"hello wippy\n")
        while True:
            b = c.recv(4096)
            if not b:
                break
            got += b
except OSError as e:
    out.append(f"client: {e}\n")
out.append(proc.stdout.read())
rc = proc.wait()
sys.stdout.write("".join(out))
print(f"client got: {got!r}; guest status {rc}")
sys.exit(0 if rc == 0 and got == b"echo: hello wippy\n" else 1)
