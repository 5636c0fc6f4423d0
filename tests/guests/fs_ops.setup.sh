# fs_ops: a writable directory with one seed file.
mkdir -p data
printf 'seed\n' > data/seed.txt
