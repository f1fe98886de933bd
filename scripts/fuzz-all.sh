#!/usr/bin/env bash
# Runs every libFuzzer target for longer than CI's smoke run, then minimises its seed corpus.
#   scripts/fuzz-all.sh [seconds-per-target=600] [jobs=1]
# New inputs found go to build/fuzz/work/<target>; with MINIMIZE=1 (the default) the committed
# corpus fuzz/corpus/<target> is replaced by the merge of both, keeping only inputs that add
# coverage. A crash stops that target and leaves crash-* in build/fuzz/work/.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
jobs=${2:-1}
build=build/fuzz
scripts/install-deps.sh || exit 1
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DRRTC_SANITIZE=ON -DRRTC_BUILD_FUZZ=ON -DRRTC_BUILD_TESTS=OFF -DRRTC_BUILD_BENCH=OFF >/dev/null || exit 1
cmake --build "$build" -j "$(nproc)" || exit 1

root=$(pwd)
status=0
for bin in $(find "$root/$build/fuzz" -type f -name 'fuzz_*' -perm -u+x | sort); do
  name=$(basename "$bin"); name=${name#fuzz_}
  corpus=$root/fuzz/corpus/$name
  work=$root/$build/work/$name
  dict=$root/fuzz/dict/$name.dict
  mkdir -p "$work" "$corpus"
  extra=()
  [[ -f $dict ]] && extra+=("-dict=$dict")
  echo "== $name: ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" -print_final_stats=1 \
      -artifact_prefix="$work/" "${extra[@]}" "$work" "$corpus" 2>&1 | tail -n 12; then
    echo "== $name: FAILED (see $work)"; status=1; continue
  fi
  if [[ ${MINIMIZE:-1} == 1 ]]; then
    merged=$(mktemp -d)
    "$bin" -merge=1 "$merged" "$corpus" "$work" >/dev/null 2>&1
    rm -rf "$corpus"; mv "$merged" "$corpus"
    echo "== $name: corpus minimised to $(ls "$corpus" | wc -l) inputs"
  fi
done
exit $status
