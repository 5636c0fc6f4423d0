#!/usr/bin/env python3
# sock_client.py — the host side of sock_echo.c: runs
# `wippy-run run --tcplisten 127.0.0.1:PORT sock_echo.core.wasm -- 3` (PORT a
# free loopback port), or with --registry a registry entry granting wasi1
# whose `wasi.tcp_listen` names the address, waits for the guest's "ready"
# line (its non-blocking accept has already seen no client), connects,
# sends one line and reads the echo until the guest shuts its side down,
# then closes.
#   sock_client.py [--registry] PATH/TO/wippy-run PATH/TO/sock_echo.core.wasm
# Prints the guest's output and what the client got; exit status 0 when the
# guest exited 0 and the echo is exactly "echo: hello wippy\n".
import hashlib
import os
import socket
import subprocess
import sys
import tempfile

registry = sys.argv[1] == "--registry"
tool, wasm = sys.argv[1 + registry], sys.argv[2 + registry]
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
if registry:
    scratch = tempfile.mkdtemp(prefix="wippy-p1-")
    yaml = os.path.join(scratch, "echo.yaml")
    with open(yaml, "w") as f:
        f.write(f"""namespace: p1
entries:
  - name: modules
    kind: fs.directory
    directory: {os.path.dirname(os.path.abspath(wasm))}
  - name: echo
    kind: function.wasm
    fs: modules
    path: /{os.path.basename(wasm)}
    hash: sha256:{hashlib.sha256(open(wasm, "rb").read()).hexdigest()}
    method: _start
    imports: [wasi1]
    wasi:
      tcp_listen: ["127.0.0.1:{port}"]
""")
    cmd = [tool, yaml, "echo"]
else:
    cmd = [tool, "run", "--tcplisten", f"127.0.0.1:{port}", wasm, "--", "3"]
proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
if registry:
    os.remove(yaml)
    os.rmdir(scratch)
sys.stdout.write("".join(out))
print(f"client got: {got!r}; guest status {rc}")
sys.exit(0 if rc == 0 and got == b"echo: hello wippy\n" else 1)
