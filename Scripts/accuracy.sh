#!/usr/bin/env bash
# Measures spinecount's accuracy on every data set it can reach, with a release build:
# ../shared/synthetic-dev (independent renderer), ../shared/realdata/smirnov-train (real
# confocal, manual spine centres) and sets rendered by `spinecount synth` at other pixel
# sizes, bit depths and signal-to-noise ratios. Prints evaluate's scores for each.
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
for preset in standard low-snr 8bit small-pixels large-pixels; do
    "$bin" synth --output "$work/synth-$preset" --preset "$preset" --count 3 --seed 101 --quiet
    "$bin" analyze "$work/synth-$preset" --output "$work/report-$preset" --no-overlays --quiet >/dev/null || true
    score "own renderer, $preset" "$work/synth-$preset/truth.csv" "$work/report-$preset" \
        "$work/synth-$preset/dendrites.csv"
done
