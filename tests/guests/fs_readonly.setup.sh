# fs_readonly: a tree granted read-only at /ro.
mkdir -p ro/dir
printf 'read only\n' > ro/file.txt
printf 'inner\n' > ro/dir/inner.txt
ln -s file.txt ro/link
