# handle_flood: a grant with one small file to open and stream.
mkdir -p data
printf 'flood\n' > data/f
