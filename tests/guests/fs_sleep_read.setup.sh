# fs_sleep_read: /in holds a.txt (1000 bytes) and b.txt (70000 bytes);
# /out is empty and writable.
mkdir -p in out
head -c 1000 /dev/zero | tr '\0' a > in/a.txt
head -c 70000 /dev/zero | tr '\0' b > in/b.txt
