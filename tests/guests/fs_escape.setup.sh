# fs_escape: root/ is granted at /data, other/ at /other; outside/ is not
# granted. The symlinks point out of root/ in every way the guest tries.
mkdir -p root/sub other outside
printf 'secret\n' > outside/secret
printf 'file\n' > root/file
printf 'inside\n' > root/file_inside
ln -s file_inside root/inside
ln -s ../outside/secret root/up
ln -s "$PWD/outside/secret" root/abs
ln -s / root/abs_root
ln -s chain2 root/chain1
ln -s sub/chain3 root/chain2
ln -s ../../outside/secret root/sub/chain3
ln -s ../outside root/dirlink
ln -s ../../.. root/sub/deep
ln -s loop2 root/loop1
ln -s loop1 root/loop2
