#!/usr/bin/env bash
# Measures spinecount's accuracy on every data set it can reach, with a release build:
# ../shared/synthetic-dev (independent renderer), ../shared/realdata/smirnov-train (real
# confocal, manual spine centres) and sets rendered by `spinecount synth` at other pixel
# sizes, bit depths and signal-to-noise ratios and an in-vivo two-photon acquisition. Prints evaluate's scores for each.
#
#   Scripts/accuracy.sh [WORKDIR]      (default WORKDIR: a new temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
shared=../shared
swift build -c release --product spinecount >/dev/null
bin=$(swift build -c release --show-bin-path)/spinecount

score() { # name truth report [lengths] [tolerance]
    local name=$1 truth=$2 report=$3 lengths=${4:-} tol=${5:-0.8}
    echo "== $name"
    if [ -n "$lengths" ]; then
        "$bin" evaluate --truth "$truth" --report "$report" --lengths "$lengths" --tolerance-um "$tol"
    else
        "$bin" evaluate --truth "$truth" --report "$report" --tolerance-um "$tol"
    fi
}

if [ -d "$shared/synthetic-dev" ]; then
    "$bin" --before "$shared/synthetic-dev/before" --after "$shared/synthetic-dev/after" \
        --output "$work/synthetic-dev" --no-overlays --quiet >/dev/null || true
    score "synthetic-dev (0.8 um)" "$shared/synthetic-dev/truth.csv" "$work/synthetic-dev" \
        "$shared/synthetic-dev/dendrites.csv"
fi
if [ -d "$shared/realdata/smirnov-train" ]; then
    "$bin" analyze "$shared/realdata/smirnov-train" --output "$work/smirnov" --no-overlays --quiet >/dev/null || true
    score "smirnov-train (0.6 um)" "$shared/realdata/smirnov-train/truth.csv" "$work/smirnov" "" 0.6
fi
for preset in standard low-snr 8bit small-pixels large-pixels two-photon; do
    "$bin" synth --output "$work/synth-$preset" --preset "$preset" --count 3 --seed 101 --quiet
    "$bin" analyze "$work/synth-$preset" --output "$work/report-$preset" --no-overlays --quiet >/dev/null || true
    score "own renderer, $preset" "$work/synth-$preset/truth.csv" "$work/report-$preset" \
        "$work/synth-$preset/dendrites.csv"
done
# Spine-type set: no pixel size in the files; 0.07 um/px at 1024 px and 0.14 at 512 px, judged
# from spine sizes, so the two sizes are analysed apart and scored together.
types=$shared/realdata/spinetypes-train
if [ -d "$types" ]; then
    mkdir -p "$work/types/1024" "$work/types/512"
    for f in "$types"/*.png; do
        width=$(od -An -tu1 -j16 -N4 "$f" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
        if [ "$width" -ge 1000 ]; then size=1024; else size=512; fi
        ln -sf "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$work/types/$size/"
    done
    for size in 1024 512; do
        ls "$work/types/$size" | awk -F, 'NR == FNR { keep[$1] = 1; next } FNR == 1 || ($1 in keep)' - "$types/truth.csv" \
            > "$work/types/truth-$size.csv"
    done
    "$bin" analyze "$work/types/1024" --pixel-size 0.07 --output "$work/report-types-1024" --no-overlays --quiet >/dev/null || true
    "$bin" analyze "$work/types/512" --pixel-size 0.14 --output "$work/report-types-512" --no-overlays --quiet >/dev/null || true
    score "spine-type set, 1024 px images (0.8 um)" "$work/types/truth-1024.csv" "$work/report-types-1024"
    score "spine-type set, 512 px images (0.8 um)" "$work/types/truth-512.csv" "$work/report-types-512"
fi
