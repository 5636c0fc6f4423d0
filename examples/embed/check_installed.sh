#!/usr/bin/env bash
# check_installed.sh BUILD_DIR SCRATCH PREFIX LIBDIR VERSION REGISTRY APP_COMPONENT
# Checks the installed tree an embedder gets: `meson install --destdir`
# of BUILD_DIR into SCRATCH/root, then, using only that tree and its
# wippy.pc (with prefix pointed at it),
#  * the installed bin/wippy-run --version names VERSION;
#  * wippy.pc: Cflags put only <root>/PREFIX/include on the include path;
#    the static link line names each mbedTLS library once;
#  * embed.cpp (copied out of the source tree) builds with
#    `pkg-config --cflags` / `pkg-config --static --libs` and answers as
#    check.sh expects against REGISTRY;
#  * the embedding API examples (examples/app: host.cpp with the C++ API,
#    host_c.c with the C API compiled as C11 -Wall -Werror) build the same
#    way and answer as app/check.sh expects on APP_COMPONENT;
#  * wippy/version.h, from C11, gives VERSION as WIPPY_VERSION_MAJOR/MINOR/
#    PATCH and WIPPY_VERSION_STRING;
#  * <wippy/runtime.h> under -std=c++17 stops with the C++20 guard's
#    message, and from C with the C-compilation message.
set -uo pipefail
build=$1 scratch=$2 prefix=$3 libdir=$4 version=$5 registry=$6 app=$7
here=$(cd "$(dirname "$0")" && pwd)
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

rm -rf "$scratch"
mkdir -p "$scratch"
root=$scratch/root
meson install -C "$build" --no-rebuild --quiet --destdir "$root" || { echo "FAIL: meson install"; exit 1; }
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
pc() { PKG_CONFIG_PATH=$root$libdir/pkgconfig pkg-config --define-variable=prefix="$root$prefix" "$@"; }

cflags=$(pc --cflags wippy) || { echo "FAIL: pkg-config --cflags wippy"; exit 1; }
libs=$(pc --static --libs wippy) || { echo "FAIL: pkg-config --static --libs wippy"; exit 1; }
echo "cflags: $cflags"
echo "libs: $libs"
incs=$(tr ' ' '\n' <<<"$cflags" | grep '^-I' | sort -u)
[ "$incs" = "-I$root$prefix/include" ] && ok "Cflags: -I\${includedir} only" || bad "Cflags include path: [$incs]"
for l in mbedtls mbedx509 mbedcrypto; do
  n=$(tr ' ' '\n' <<<"$libs" | grep -cx -- "-l$l")
  [ "$n" = 1 ] && ok "-l$l once" || bad "-l$l appears $n times"
done
for h in wippy/runtime.h wippy/engine.h wippy/linker.h wippy/instance.h wippy/wippy.h wippy/version.h wippy/require_cxx20.h wippy/base/result.h wippy/component/val.h; do
  [ -f "$root$prefix/include/$h" ] && ok "installed $h" || bad "not installed: $h"
done

got=$("$root$prefix/bin/wippy-run" --version | head -1)
[ "$got" = "wippy-run $version" ] && ok "installed $got" || bad "installed wippy-run --version: [$got]"

# The embedding example, built from a copy so that no source-tree header
# can be found next to it.
cp "$here/embed.cpp" "$scratch/embed.cpp"
if (cd "$scratch" && c++ -std=c++20 -O1 $cflags embed.cpp -o embed $libs); then
  ok "embed.cpp builds against the installed tree"
  bash "$here/check.sh" "$scratch/embed" "$registry" || fail=1
else
  bad "embed.cpp does not build against the installed tree"
fi

# The embedding API examples, in C++ and in C (a C11 object linked by the
# C++ driver: libwippy is C++).
cp "$here/../app/host.cpp" "$here/../app/host_c.c" "$scratch/"
if (cd "$scratch" && c++ -std=c++20 -O1 $cflags host.cpp -o app-host-cpp $libs &&
    cc -std=c11 -Wall -Wextra -Werror -pedantic $cflags -c host_c.c -o host_c.o &&
    c++ host_c.o -o app-host-c $libs); then
  ok "app examples (C++ and C API) build against the installed tree"
  bash "$here/../app/check.sh" "$app" "$scratch/app-host-cpp" "$scratch/app-host-c" || fail=1
else
  bad "app examples do not build against the installed tree"
fi

cat >"$scratch/version.c" <<'EOF'
#include <stdio.h>
#include <wippy/version.h>
#if !WIPPY_VERSION_AT_LEAST(0, 0, 1) || WIPPY_VERSION_AT_LEAST(WIPPY_VERSION_MAJOR + 1, 0, 0)
#error "WIPPY_VERSION_AT_LEAST is wrong"
#endif
int main(void) {
  printf("%d.%d.%d %s\n", WIPPY_VERSION_MAJOR, WIPPY_VERSION_MINOR, WIPPY_VERSION_PATCH,
         WIPPY_VERSION_STRING);
  return 0;
}
EOF
if (cd "$scratch" && cc -std=c11 -Wall -Werror $cflags version.c -o version); then
  got=$("$scratch/version")
  [ "$got" = "$version $version" ] && ok "version macros: $got" || bad "version macros: want [$version $version] got [$got]"
else
  bad "wippy/version.h does not compile as C11"
fi

# The C++20 guard: the first error is the guard's, and at most the fatal
# stop after it (no errors from inside the headers).
guard() {  # LANG_FLAGS... ; prints the compiler's error lines
  printf '#include <wippy/runtime.h>\n' >"$scratch/guard.src"
  "$@" $cflags -fsyntax-only "$scratch/guard.src" 2>&1 | grep -E ': (fatal )?error: ' || true
}
check_guard() {  # WHAT WANT LINES
  local what=$1 want=$2 lines=$3
  local first; first=$(head -1 <<<"$lines")
  local n; n=$(grep -c 'error: ' <<<"$lines")
  if [[ $first == *"$want"* && $n -le 2 ]]; then ok "$what: $first"; else bad "$what: want [$want] first, got:
$lines"; fi
}
check_guard "C++17 build" "need C++20: compile with -std=c++20" "$(guard c++ -std=c++17 -x c++)"
check_guard "C build" "this is a C compilation" "$(guard cc -std=c11 -x c)"
exit $fail
