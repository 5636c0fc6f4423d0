# 10 MiB of deterministic text for stdio_copy's stdin.
seq 1 2000000 | head -c 10485760 > input.bin
