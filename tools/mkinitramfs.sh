#!/usr/bin/env bash
# Build the boot-test initramfs: a newc cpio with the static test init
# (tests/boot/init/test_init.c), a random /payload.bin and its
# /payload.sha256 (so the guest can check that the initrd arrived intact),
# the kernel modules tools/fetch-arm64.sh kept for each kernel (efivarfs) in
# /lib/modules/<release>/, and with --with-busybox busybox-static as
# /bin/busybox + /bin/sh for the interactive shell (mmuon.shell on the kernel
# command line).
#
#   tools/mkinitramfs.sh OUT [--payload-size N[K|M]] [--with-busybox] [--gzip]
#
# Intermediate files are cached in build/boot/ (the init binary, one staging
# tree per payload size and busybox choice); OUT is rebuilt only when one of
# its inputs changed. The payload stays the same random bytes until its size
# changes, so repeated runs produce the same archive. Writes OUT.payload-sha256
# next to OUT so the host can check what the guest reports.
set -euo pipefail

usage() {
	sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2
	exit 2
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CROSS=${CROSS:-aarch64-linux-gnu-}
CACHE=${MMUON_CACHE:-$HOME/.cache/mmuon}/arm64
BUSYBOX=$CACHE/busybox/bin/busybox

out=
payload_size=1M
busybox=0
gzip=0
while [ $# -gt 0 ]; do
	case $1 in
	--payload-size) payload_size=${2:?--payload-size needs a value}; shift ;;
	--payload-size=*) payload_size=${1#*=} ;;
	--with-busybox) busybox=1 ;;
	--gzip) gzip=1 ;;
	-h | --help) usage ;;
	-*) echo "mkinitramfs: unknown option $1" >&2; usage ;;
	*) [ -z "$out" ] || usage; out=$1 ;;
	esac
	shift
done
[ -n "$out" ] || usage
# Resolve OUT against the caller's directory before we cd to the repo.
case $out in /*) ;; *) out=$PWD/$out ;; esac
bytes=$(numfmt --from=iec "$payload_size") || {
	echo "mkinitramfs: bad payload size $payload_size" >&2
	exit 2
}

BUILD=$ROOT/build/boot
mkdir -p "$BUILD" "$(dirname "$out")"
# pytest and tools/run.sh may build at the same time; one at a time keeps
# the cache consistent (every file is also written to a temporary and moved).
exec 9>"$BUILD/.lock"
flock 9

# stale FILE DEP...: true if FILE is missing or older than any DEP.
stale() {
	local f=$1
	shift
	[ -e "$f" ] || return 0
	local dep
	for dep in "$@"; do
		[ "$dep" -nt "$f" ] && return 0
	done
	return 1
}

# ---- the test init --------------------------------------------------------
srcs=("$ROOT"/tests/boot/init/*.c)
sha=$ROOT/src/lib/sha256.c
init=$BUILD/init
if stale "$init" "${srcs[@]}" "$ROOT"/tests/boot/init/*.h "$sha" "$0"; then
	# -static: the initramfs has no libc; -s: 0.6 MiB less to load per boot.
	# SHA-256 is the firmware's own, so both sides hash with tested code.
	"${CROSS}gcc" -static -Os -s -std=gnu11 -Wall -Wextra -Werror \
		-I"$ROOT/include" -o "$init.tmp" "${srcs[@]}" "$sha"
	mv "$init.tmp" "$init"
fi

# ---- staging tree -----------------------------------------------------------
key=payload-$bytes
[ "$busybox" = 1 ] && key=$key-busybox
stage=$BUILD/root-$key
mkdir -p "$stage"/{dev,proc,sys,tmp}
if [ "$(stat -c %s "$stage/payload.bin" 2>/dev/null || echo -1)" != "$bytes" ]; then
	head -c "$bytes" /dev/urandom >"$stage/payload.bin.tmp"
	mv "$stage/payload.bin.tmp" "$stage/payload.bin"
	(cd "$stage" && sha256sum payload.bin >payload.sha256)
fi
if stale "$stage/init" "$init"; then
	cp "$init" "$stage/init.tmp"
	mv "$stage/init.tmp" "$stage/init"
fi
if [ "$busybox" = 1 ]; then
	if [ ! -x "$BUSYBOX" ]; then
		"$ROOT/tools/fetch-arm64.sh" busybox
	fi
	# The init runs "busybox --install -s" in the guest for the other
	# applets: the host cannot run an arm64 busybox to list them.
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin}
	if stale "$stage/bin/busybox" "$BUSYBOX"; then
		cp "$BUSYBOX" "$stage/bin/busybox"
	fi
	ln -sfn busybox "$stage/bin/sh"
fi

# ---- the archive ------------------------------------------------------------
# The test init loads /lib/modules/$(uname -r)/*.ko itself (no modprobe).
mkdir -p "$stage/lib/modules"
for release in "$CACHE"/modules-*/*/; do
	[ -d "$release" ] || continue
	release=${release%/}
	mkdir -p "$stage/lib/modules/${release##*/}"
	for ko in "$release"/*.ko; do
		if stale "$stage/lib/modules/${release##*/}/${ko##*/}" "$ko"; then
			cp "$ko" "$stage/lib/modules/${release##*/}/"
		fi
	done
done

deps=("$0" "$stage/init" "$stage/payload.bin" "$stage"/lib/modules/*/*.ko)
[ "$busybox" = 1 ] && deps+=("$stage/bin/busybox")
# Rebuild when an input changed or OUT has the other format (gzip or not).
need_archive() {
	stale "$out" "${deps[@]}" && return 0
	if [ "$gzip" = 1 ]; then
		if gzip -t "$out" 2>/dev/null; then return 1; else return 0; fi
	else
		[ "$(head -c 6 "$out" | tr -d "\\0")" != 070701 ]
	fi
}
if need_archive; then
	# Sorted names and root ownership: the same tree gives the same archive.
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) >"$out.tmp"
	if [ "$gzip" = 1 ]; then
		gzip -n -1 -c "$out.tmp" >"$out.tmp.gz"
		mv "$out.tmp.gz" "$out.tmp"
	fi
	mv "$out.tmp" "$out"
fi
cut -c1-64 "$stage/payload.sha256" >"$out.payload-sha256"
