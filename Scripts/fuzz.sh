#!/usr/bin/env bash
# Fuzzes spinecount's PNG decoding and its whole analysis with libFuzzer.
#
#   Scripts/fuzz.sh build                 # compile .build-fuzz/spinecount-fuzz
#   Scripts/fuzz.sh png SECONDS           # fuzz PNGCodec.decode (seeds: ../shared/pngsuite)
#   Scripts/fuzz.sh analysis SECONDS      # fuzz SpineAnalysis.analyze + reports + overlay
#   Scripts/fuzz.sh run FILE...           # replay inputs (e.g. a crash-* file) once
#
# The harness is Scripts/fuzz/FuzzEntry.swift, compiled with SpineKit's sources (less
# Evaluation and Synthesis, which need nothing here) into one module, with
# -sanitize=fuzzer,address; CPNGCodec is compiled by clang with the same sanitizers.
# libpng itself is the system's and is not instrumented, so coverage guidance covers
# spinecount's own code. The sources are copied first, so edits made while the build
# runs cannot break it.
#
# Corpora and findings stay under .build-fuzz/ (ignored by git): corpus-<target>/ grows
# across runs, crashes go to artifacts-<target>/. PngSuite is copied into a temporary
# seed folder at run time, never into the repository. One fuzzing process at a time
# (the machine is shared). With FORK=1 libFuzzer's fork mode keeps going after a
# crash, timeout or out-of-memory, so one run can collect several distinct findings.
# Environment: FUZZ_DIR (default .build-fuzz), FORK, FUZZ_FLAGS (extra libFuzzer
# flags), SWIFT_OPT (default -O).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz_dir="${FUZZ_DIR:-$root/.build-fuzz}"
binary="$fuzz_dir/spinecount-fuzz"
swift_opt="${SWIFT_OPT:--O}"

# A subshell, so that its EXIT trap removes the copied sources however the build ends.
build() (
    mkdir -p "$fuzz_dir"
    local work
    work="$(mktemp -d "$fuzz_dir/build.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    cp -R "$root/Sources" "$work/Sources"
    cp "$root/Scripts/fuzz/FuzzEntry.swift" "$work/"

    mkdir -p "$work/modules/CPNGCodec"
    cat > "$work/modules/CPNGCodec/module.modulemap" <<MAP
module CPNGCodec {
    header "$work/Sources/CPNGCodec/include/CPNGCodec.h"
    export *
}
MAP
    mkdir -p "$work/modules/CAllocator"
    cat > "$work/modules/CAllocator/module.modulemap" <<MAP
module CAllocator {
    header "$work/Sources/CAllocator/include/allocator.h"
    export *
}
MAP
    # shellcheck disable=SC2046
    clang -c -g -O1 -fsanitize=fuzzer-no-link,address $(pkg-config --cflags libpng) \
        -I "$work/Sources/CPNGCodec/include" "$work/Sources/CPNGCodec/codec.c" -o "$work/codec.o"
    clang -c -g -O1 -fsanitize=fuzzer-no-link,address \
        -I "$work/Sources/CAllocator/include" "$work/Sources/CAllocator/allocator.c" -o "$work/allocator.o"

    local sources=()
    while IFS= read -r -d '' file; do sources+=("$file"); done < <(
        find "$work/Sources/SpineKit" -name '*.swift' \
            -not -path '*/Evaluation/*' -not -path '*/Synthesis/*' -print0 | sort -z)
    # The linker's "Cannot export local symbol '__asan_...'" lines are noise.
    # shellcheck disable=SC2046
    swiftc -parse-as-library -module-name SpineKit -swift-version 6 "$swift_opt" -g \
        -sanitize=fuzzer,address -I "$work/modules/CPNGCodec" -I "$work/modules/CAllocator" \
        -I "$work/Sources/CCrypto" \
        "${sources[@]}" "$work/FuzzEntry.swift" "$work/codec.o" "$work/allocator.o" \
        $(pkg-config --libs libpng libcrypto) -o "$binary.new" 2> >(grep -v "Cannot export local symbol" >&2)
    mv "$binary.new" "$binary"
    echo "fuzz: built $binary"
)

seeds() {
    # A temporary seed folder: PngSuite (for png) or a few small images (for analysis).
    local target="$1" dir
    dir="$(mktemp -d "$fuzz_dir/seeds-$target.XXXXXX")"
    local suite="$root/../shared/pngsuite"
    if [[ "$target" == png ]]; then
        if [[ -d "$suite" ]]; then
            cp "$suite"/valid/*.png "$suite"/invalid/*.png "$dir"/
        else
            echo "fuzz: $suite is absent; starting from an empty corpus" >&2
        fi
    else
        # Header bytes: width, height, pixel size, 16-bit flag, block size, pattern.
        printf '\x40\x20\x14\x00\x80\x00\x00\x00\x00\x10\x80\xff\x80\x10\x00\x00' > "$dir/bar"
        printf '\x08\x08\x20\x01\x00\x00\xff\xff\x00\x00' > "$dir/flat16"
        head -c 4096 /dev/urandom > "$dir/noise"
    fi
    echo "$dir"
}

fuzz() {
    local target="$1" seconds="$2"
    [[ -x "$binary" ]] || build
    local corpus="$fuzz_dir/corpus-$target" artifacts="$fuzz_dir/artifacts-$target"
    mkdir -p "$corpus" "$artifacts"
    local seed_dir
    seed_dir="$(seeds "$target")"
    local max_len=65536
    [[ "$target" == analysis ]] && max_len=9300     # 6 header bytes + 96 x 96 x 1 byte
    echo "fuzz: $target for $seconds s, corpus $corpus, findings in $artifacts"
    local mode=()
    [[ "${FORK:-0}" == 1 ]] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    set +e
    # Swift's own crash backtracer would run inside the sanitizer and confuse its report;
    # libFuzzer prints the stack of a trap itself.
    # shellcheck disable=SC2086
    SPINECOUNT_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no \
        ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
        "$binary" "$corpus" "$seed_dir" -max_total_time="$seconds" "${mode[@]}" \
        -timeout=20 -rss_limit_mb=2560 -max_len="$max_len" -print_final_stats=1 \
        -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-}
    local status=$?
    set -e
    rm -rf "$seed_dir"
    return "$status"
}

case "${1:-}" in
    build) build ;;
    png | analysis) fuzz "$1" "${2:-600}" ;;
    run)
        shift
        [[ -x "$binary" ]] || build
        SPINECOUNT_FUZZ_TARGET="${SPINECOUNT_FUZZ_TARGET:-png}" SWIFT_BACKTRACE=enable=no "$binary" -runs=1 "$@"
        ;;
    *)
        sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
