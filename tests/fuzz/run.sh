#!/bin/bash
# run.sh BUILD SECONDS NAME... - run each libFuzzer harness BUILD/fuzz/NAME for SECONDS on its
# corpus (tests/fuzz/corpus/NAME seeds it; new inputs go to BUILD/corpus/NAME, not the tree).
# Any crash, leak, timeout or sanitizer report fails the run, and the input that caused it
# is copied into tests/fuzz/corpus/NAME/, where `make test` replays it from then on.
set -uo pipefail
build=$1 seconds=$2
shift 2
failed=0
for name in "$@"; do
    work=$build/corpus/$name art=$build/artifacts/$name/ log=$build/logs/$name.log
    mkdir -p "$work" "$art" "$(dirname "$log")"
    rm -f "$art"/*
    "$build/fuzz/$name" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$art" "$work" "tests/fuzz/corpus/$name" \
        >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    if [ $rc -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log"
    then
        echo "fuzz: $name: ${runs:-?} runs in ${seconds}s, nothing found"
        continue
    fi
    failed=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY)|runtime error:' "$log" | head -5
    kept=0
    for f in "$art"*; do
        [ -f "$f" ] || continue
        cp "$f" "tests/fuzz/corpus/$name/"
        echo "fuzz: $name failed (rc $rc): input kept as tests/fuzz/corpus/$name/$(basename "$f")"
        echo "      (fix the bug, then commit the input: make test replays it; log in $log)"
        kept=1
    done
    [ $kept = 1 ] || echo "fuzz: $name failed (rc $rc), no input saved: see $log"
done
exit $failed
