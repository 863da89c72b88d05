#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run the libFuzzer targets built by `make fuzz-build` (build/fuzz/<target>).
#
#   tools/fuzz.sh smoke TARGET...  FUZZ_SMOKE_SECONDS (20) each, for the tests
#   tools/fuzz.sh run TARGET...    FUZZ_SECONDS (600) each
#   tools/fuzz.sh merge TARGET...  minimize seeds + finds into the corpora
#   tools/fuzz.sh repro TARGET FILE...  run the target on inputs once
#
# Each run starts from tests/fuzz/corpus/<target>/ (read only) and the
# inputs earlier runs found (build/fuzz/work/<target>/, where new ones go).
# A crash leaves its input in build/fuzz/artifacts/<target>/ and the log in
# build/fuzz/logs/<target>.log. smoke and run also replay
# tests/fuzz/crashes/<target>/ (known crashes, kept until fixed) and exit
# non-zero if any target crashed, leaked, timed out or ran out of memory.
# FUZZ_JOBS (2) targets run at once.
set -eu

BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-20}
FUZZ_JOBS=${FUZZ_JOBS:-2}
CORPUS=tests/fuzz/corpus
CRASHES=tests/fuzz/crashes

usage() {
	sed -n '4,18p' "$0" >&2
	exit 2
}

# A slow input is a finding too (-timeout): memmap programs, the slowest,
# take about a millisecond.
fuzzer() { # binary, libFuzzer arguments...
	b=$1
	shift
	"$b" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$@"
}

bin() {
	b=$BUILD/fuzz/$1
	[ -x "$b" ] || {
		echo "fuzz.sh: $b not built (make fuzz-build)" >&2
		exit 2
	}
	echo "$b"
}

# One line per run: what the final stats and the last status line say.
summary() { # target, seconds, exit code
	log=$BUILD/fuzz/logs/$1.log
	# The last stats are the fuzzing run's (replays print theirs first).
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*' "$log" |
		tail -n 1)
	verdict=ok
	[ "$3" -eq 0 ] ||
		verdict="FAILED (exit $3): $log, $BUILD/fuzz/artifacts/$1/"
	printf '%-14s %5ss %11s execs  %s  %s\n' "$1" "$2" "${execs:-?}" \
		"${cov:-?}" "$verdict"
}

# Replays the known crashes first: a crash found once must stay visible
# (the run fails) until it is fixed; fuzzing goes on regardless.
fuzz_one() { # target, seconds
	b=$(bin "$1")
	work=$BUILD/fuzz/work/$1
	art=$BUILD/fuzz/artifacts/$1/
	log=$BUILD/fuzz/logs/$1.log
	known=0
	mkdir -p "$work" "$art" "$BUILD/fuzz/logs"
	: >"$log"
	for c in "$CRASHES/$1"/*; do
		[ -f "$c" ] || continue
		if ! fuzzer "$b" -runs=0 "$c" >>"$log" 2>&1; then
			echo "fuzz.sh: known crash $c still crashes" | tee -a "$log"
			known=1
		fi
	done
	# -max_total_time bounds the fuzzing; the corpus is read-only here.
	fuzzer "$b" -max_total_time="$2" -artifact_prefix="$art" \
		"$work" "$CORPUS/$1" >>"$log" 2>&1 || return
	return $known
}

fuzz_all() { # seconds, targets...
	secs=$1
	shift
	status=0
	while [ $# -gt 0 ]; do
		jobs="" # pid:target of the batch
		while [ $# -gt 0 ] && [ "$(echo "$jobs" | wc -w)" -lt "$FUZZ_JOBS" ]
		do
			fuzz_one "$1" "$secs" &
			jobs="$jobs $!:$1"
			shift
		done
		for j in $jobs; do
			rc=0
			wait "${j%%:*}" || rc=$?
			summary "${j#*:}" "$secs" "$rc"
			[ "$rc" -eq 0 ] || status=1
		done
	done
	return $status
}

# Keep the corpus small: only inputs that add coverage, seeds included.
merge() { # targets...
	for t in "$@"; do
		b=$(bin "$t")
		new=$BUILD/fuzz/merge/$t
		rm -rf "$new"
		mkdir -p "$new" "$BUILD/fuzz/work/$t" "$CORPUS/$t"
		seeds=$BUILD/fuzz/seeds/$t # from tests/fuzz/make_seeds.sh
		[ -d "$seeds" ] || seeds=
		fuzzer "$b" -merge=1 "$new" "$CORPUS/$t" ${seeds:+"$seeds"} \
			"$BUILD/fuzz/work/$t" >"$BUILD/fuzz/logs/$t.merge.log" 2>&1
		rm -rf "${CORPUS:?}/$t"
		cp -r "$new" "$CORPUS/$t"
		echo "$t: $(find "$CORPUS/$t" -type f | wc -l) inputs," \
			"$(du -sk "$CORPUS/$t" | cut -f1) KiB"
	done
}

[ $# -ge 1 ] || usage
mode=$1
shift
[ $# -ge 1 ] || usage
case $mode in
smoke) fuzz_all "$FUZZ_SMOKE_SECONDS" "$@" ;;
run) fuzz_all "$FUZZ_SECONDS" "$@" ;;
merge) merge "$@" ;;
repro)
	b=$(bin "$1")
	shift
	exec "$b" -runs=0 "$@"
	;;
*) usage ;;
esac
