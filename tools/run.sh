#!/usr/bin/env bash
# Boot Linux under QEMU with mmuon (the backend of `make run`).
#
#   tools/run.sh [options] [-- extra QEMU arguments]
#
# At a terminal: boots build/mmuon.bin with the newest cached kernel and an
# initramfs with a busybox shell (mmuon.shell); Ctrl-A x quits QEMU, and
# `poweroff` in the shell ends the VM. Otherwise (no terminal, e.g. in CI):
# boots into the test init, prints its report lines and the boot time, and
# exits with QEMU: status 0 when the init ran every check and none failed.
#
#   --no-firmware     boot with QEMU's own loader (-kernel, no EFI)
#   --firmware FILE   firmware image for -bios (default build/mmuon.bin)
#   --kernel K        6.1, new (default) or a path to an arm64 Image
#   --shell           interactive shell even without a terminal check
#   --no-shell        the test init's report even at a terminal
#   --append ARGS     more kernel command line arguments
#   --el2             start at EL2 (-M virt,virtualization=on)
#   --smp N, --mem SIZE
#   --timeout SECONDS hard limit without a terminal (default 120)
#   --payload-size N  initramfs payload (default 1M)
#   --verbose         print the whole console, not just the report
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${MMUON_CACHE:-$HOME/.cache/mmuon}/arm64

usage() {
	sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2
	exit 2
}

firmware=$ROOT/build/mmuon.bin
kernel=new
shell=auto
append=
payload=1M
py_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--no-firmware) firmware= ;;
	--firmware) firmware=${2:?}; shift ;;
	--kernel) kernel=${2:?}; shift ;;
	--shell) shell=yes ;;
	--no-shell) shell=no ;;
	--append) append=${2:?}; shift ;;
	--el2) py_args+=(--el2) ;;
	--smp | --mem | --timeout) py_args+=("$1" "${2:?}"); shift ;;
	--payload-size) payload=${2:?}; shift ;;
	--verbose) py_args+=(--verbose) ;;
	-h | --help) usage ;;
	--) shift; break ;;
	*) echo "run.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done

case $kernel in
6.1 | new)
	[ -f "$CACHE/vmlinuz-$kernel" ] || "$ROOT/tools/fetch-arm64.sh" "kernel-$kernel"
	kernel=$CACHE/vmlinuz-$kernel
	;;
esac
[ -f "$kernel" ] || { echo "run.sh: no kernel $kernel" >&2; exit 1; }

if [ -n "$firmware" ] && [ ! -f "$firmware" ]; then
	echo "run.sh: $firmware is not built: run make (or use --no-firmware)" >&2
	exit 1
fi

# A shell needs a person at a terminal on both ends of the console.
if [ "$shell" = auto ]; then
	if [ -t 0 ] && [ -t 1 ]; then shell=yes; else shell=no; fi
fi

cmdline="console=ttyAMA0 earlycon panic=-1"
if [ "$shell" = yes ]; then
	initrd=$ROOT/build/boot/run-busybox.cpio
	"$ROOT/tools/mkinitramfs.sh" "$initrd" --payload-size "$payload" --with-busybox
	cmdline+=" mmuon.shell"
	py_args+=(--interactive)
else
	initrd=$ROOT/build/boot/run.cpio
	"$ROOT/tools/mkinitramfs.sh" "$initrd" --payload-size "$payload"
fi
[ -z "$append" ] || cmdline+=" $append"

py_args+=(--kernel "$kernel" --initrd "$initrd" --append "$cmdline")
[ -z "$firmware" ] || py_args+=(--firmware "$firmware")
# The runner (tests/boot/qemu.py) times the console lines; it is plain
# Python 3 standard library, so any python3 will do ($PYTHON if set).
exec "${PYTHON:-python3}" "$ROOT/tests/boot/qemu.py" "${py_args[@]}" -- "$@"
