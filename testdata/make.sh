#!/usr/bin/env bash
# make.sh generates lubo's test media with ffmpeg into the folder this script
# lives in. It only makes files that are missing, so running it twice is
# harmless; "force" remakes them all.
#
#   testdata/make.sh            the committed files (small)
#   testdata/make.sh bench      also h264_1080p.mp4 for benchmarks (large, not committed)
#   testdata/make.sh force      remake everything that would be made
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench=0
force=0
for arg in "$@"; do
	case "$arg" in
	bench) bench=1 ;;
	force) force=1 ;;
	*)
		echo "usage: $0 [bench] [force]" >&2
		exit 2
		;;
	esac
done

if ! command -v ffmpeg >/dev/null; then
	echo "make.sh: ffmpeg not found on PATH (Debian: apt-get install ffmpeg)" >&2
	exit 1
fi

# Without encoder version tags and dates, the same ffmpeg makes the same bytes
# (x264 with VBV rate control is only repeatable on one thread).
global=(-hide_banner -nostdin -v error -y)
output=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1)

# drawtext needs libfreetype and a font through fontconfig; the picture is
# still recognizable without the clock, so fall back to the plain pattern.
clock=""
if ffmpeg -hide_banner -nostdin -v error -f lavfi -i "testsrc2=s=64x64:d=0.04" \
	-vf "drawtext=text='x'" -f null - >/dev/null 2>&1; then
	clock=",drawtext=text='lubo %{pts\\:hms}':fontsize=H/12:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x=(w-tw)/2:y=h-th-2*lh"
fi

# needed NAME: whether NAME must be (re)made.
needed() {
	[[ $force == 1 || ! -s "$dir/$1" ]]
}

# encode NAME ARGS...: run ffmpeg into a temporary file, then move it in place,
# so an interrupted run never leaves a half-written file that looks made.
encode() {
	local name=$1
	shift
	local tmp="$dir/.tmp.$name"
	echo "making $name"
	ffmpeg "${global[@]}" "$@" "${output[@]}" "$tmp"
	mv -f "$tmp" "$dir/$name"
}

video() { # video WxH SECONDS
	echo "testsrc2=s=$1:r=25:d=$2${clock}"
}
tone() { # tone RATE SECONDS: a 440 Hz tone with a beep each second
	echo "sine=f=440:beep_factor=4:sample_rate=$1:d=$2"
}

if needed sample.mp4; then
	encode sample.mp4 -f lavfi -i "$(video 640x360 10)" -f lavfi -i "$(tone 44100 10)" \
		-c:v libx264 -profile:v main -preset medium -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -bf 0 \
		-b:v 300k -maxrate 350k -bufsize 600k -threads:v 1 \
		-c:a aac -b:a 64k -ac 2 -ar 44100 -movflags +faststart -f mp4
fi

if needed h264_aac.mp4; then
	encode h264_aac.mp4 -f lavfi -i "$(video 320x240 6)" -f lavfi -i "$(tone 44100 6)" \
		-c:v libx264 -profile:v main -preset fast -pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 -bf 0 -b:v 200k \
		-c:a aac -b:a 64k -ac 2 -ar 44100 -f mp4
fi

if needed h265_aac.mp4; then
	encode h265_aac.mp4 -f lavfi -i "$(video 320x240 6)" -f lavfi -i "$(tone 44100 6)" \
		-c:v libx265 -preset fast -pix_fmt yuv420p -tag:v hvc1 -b:v 200k \
		-x265-params "bframes=0:keyint=25:min-keyint=25:scenecut=0:log-level=error" \
		-c:a aac -b:a 64k -ac 2 -ar 44100 -f mp4
fi

if needed h264_pcma.flv; then
	encode h264_pcma.flv -f lavfi -i "$(video 320x240 6)" -f lavfi -i "$(tone 8000 6)" \
		-c:v libx264 -profile:v main -preset fast -pix_fmt yuv420p -g 25 -keyint_min 25 -sc_threshold 0 -bf 0 -b:v 200k \
		-c:a pcm_alaw -ar 8000 -ac 1 -f flv
fi

# Tiny clips (a few KB) seed the fuzz targets of the MP4 readers.
tiny_video=(-f lavfi -i "testsrc2=s=64x64:r=25:d=0.4" -f lavfi -i "$(tone 8000 0.4)")
tiny_audio=(-c:a aac -b:a 16k -ac 1 -ar 8000)
if needed tiny_h264_aac.mp4; then
	encode tiny_h264_aac.mp4 "${tiny_video[@]}" \
		-c:v libx264 -profile:v baseline -preset fast -pix_fmt yuv420p -g 5 -keyint_min 5 -sc_threshold 0 -bf 0 -b:v 50k \
		"${tiny_audio[@]}" -f mp4
fi
if needed tiny_h265_aac.mp4; then
	encode tiny_h265_aac.mp4 "${tiny_video[@]}" \
		-c:v libx265 -preset fast -pix_fmt yuv420p -tag:v hvc1 -b:v 50k \
		-x265-params "bframes=0:keyint=5:min-keyint=5:scenecut=0:log-level=error" \
		"${tiny_audio[@]}" -f mp4
fi
if needed tiny_h264_aac_frag.mp4; then
	encode tiny_h264_aac_frag.mp4 "${tiny_video[@]}" \
		-c:v libx264 -profile:v baseline -preset fast -pix_fmt yuv420p -g 5 -keyint_min 5 -sc_threshold 0 -bf 0 -b:v 50k \
		"${tiny_audio[@]}" -movflags +frag_keyframe+empty_moov+default_base_moof -f mp4
fi

if [[ $bench == 1 ]] && needed h264_1080p.mp4; then
	encode h264_1080p.mp4 -f lavfi -i "$(video 1920x1080 10)" -f lavfi -i "$(tone 48000 10)" \
		-c:v libx264 -profile:v high -preset veryfast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -bf 0 \
		-b:v 4M -maxrate 4M -bufsize 8M \
		-c:a aac -b:a 128k -ac 2 -ar 48000 -movflags +faststart -f mp4
fi
