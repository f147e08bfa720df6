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
  "./segmenter FuzzFMP4Writer"
  "./internal/bmff FuzzVideoSampleEntry"
  "./internal/bmff FuzzAnnexBFilter"
  "./media FuzzCanonicalAnnexB"
  "./relay/rtsp FuzzDepacketizer"
  "./relay FuzzTimelineMonotonic"
  "./relay/flv FuzzTagReader"
  "./relay/flv FuzzDemuxVideo"
  "./api/auth FuzzTicket"
  "./api/auth FuzzSessionCookie"
  "./api/auth/password FuzzParse"
  "./relay/push FuzzParseTarget"
  "./configs FuzzParse"
  "./cloud/yunlubo FuzzDecodeAnswer"
  "./api/boxapi FuzzAPI"
  "./internal/redact FuzzText"
)
for entry in "${targets[@]}"; do
  read -r pkg name <<<"$entry"
  echo "fuzz $pkg $name for $t"
  log=$(mktemp)
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg" >"$log" 2>&1; then
    # A crash leaves its input in testdata/fuzz and says so. Go's fuzzing
    # engine can also stop on its own deadline with a worker mid-input
    # ("context deadline exceeded" and no input): that found nothing.
    if grep -q "Failing input written\|panic:" "$log" || ! grep -q "context deadline exceeded" "$log"; then
      cat "$log"; rm -f "$log"; exit 1
    fi
    echo "  (the fuzzing engine stopped at its own deadline; no failing input)"
  fi
  rm -f "$log"
done
echo "fuzz: ${#targets[@]} targets ran $t each without a crash"
