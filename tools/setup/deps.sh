#!/bin/sh
# Make sure the programs the build needs are installed. On Debian, as root (or with
# sudo), installs what is missing with apt-get; anywhere else, says exactly what to
# install and fails.
#
#   tools/setup/deps.sh [GROUP...]     groups: build (default), test
set -eu

# command (or, starting with /, a file pattern)  Debian package
build_needs="
riscv64-unknown-elf-gcc gcc-riscv64-unknown-elf
qemu-system-riscv64 qemu-system-misc
cc gcc
make make
python3 python3
"
test_needs="
clang clang
/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a libclang-rt-14-dev
/usr/bin/time time
gnuplot gnuplot-nox
/usr/lib/python3/dist-packages/matplotlib python3-matplotlib
node nodejs
npm npm
"

missing=""
check() {
  echo "$1" | while read -r cmd pkg; do
    [ -n "$cmd" ] || continue
    case "$cmd" in
      /*) ls -d $cmd >/dev/null 2>&1 || echo "$pkg" ;;   # a file pattern: something must match
      *) command -v "$cmd" >/dev/null 2>&1 || echo "$pkg" ;;
    esac
  done
}

groups=${*:-build}
for g in $groups; do
  case "$g" in
    build) missing="$missing $(check "$build_needs")" ;;
    test)  missing="$missing $(check "$build_needs") $(check "$test_needs")" ;;
    *) echo "deps.sh: unknown group '$g' (build, test)" >&2; exit 2 ;;
  esac
done
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
[ -n "${missing% }" ] || exit 0

if [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" != none ]; then
    echo "deps.sh: installing $missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
    exit 0
  fi
fi
echo "deps.sh: missing packages; install them with:" >&2
echo "  apt-get install $missing" >&2
exit 1
