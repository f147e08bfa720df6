#!/usr/bin/env bash
# Runs the fuzz targets of the parsers that face hostile peers for a bounded
# time each (FUZZTIME, default 8s), after the seeds have run in `go test`.
# A crash fails the run; the failing input is left in testdata/fuzz for the
# next `go test` to replay.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-8s}
targets=(
  "./relay/rtmp FuzzServerRead"
  "./relay/rtmp FuzzClientRead"
  "./segmenter FuzzTSWriter"
  "./media FuzzCanonicalAnnexB"
  "./relay FuzzTimelineMonotonic"
  "./relay/flv FuzzTagReader"
  "./configs FuzzParse"
  "./cloud/yunlubo FuzzDecodeAnswer"
  "./api/boxapi FuzzAPI"
  "./internal/redact FuzzText"
)
for entry in "${targets[@]}"; do
  read -r pkg name <<<"$entry"
  echo "fuzz $pkg $name for $t"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg" >/tmp/lubo-fuzz.log 2>&1 || { cat /tmp/lubo-fuzz.log; exit 1; }
done
echo "fuzz: ${#targets[@]} targets ran $t each without a crash"
