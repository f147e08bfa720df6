package recorder

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Suffixes of the files a slice leaves on disk.
const (
	partSuffix   = ".part"   // being written: "….mp4.part"
	brokenSuffix = ".broken" // a .part recovery could not read, kept for a human
)

// slicePath is where slice n of a session on ch that started at start is
// written, relative to the records root: "{ch}/{YYYY-MM-DD}/{HHMMSS}_{n}.mp4"
// with the date and time of start in loc.
func slicePath(ch string, start time.Time, loc *time.Location, n int) string {
	s := start.In(loc)
	return path.Join(ch, s.Format("2006-01-02"), s.Format("150405")+"_"+strconv.Itoa(n)+".mp4")
}

// coverPath is the cover JPEG beside the slice file rel.
func coverPath(rel string) string { return strings.TrimSuffix(rel, ".mp4") + ".jpg" }

// slicePathInfo is what a slice's path says about it.
type slicePathInfo struct {
	Channel string
	Start   time.Time // to the second, in the location given to parseSlicePath
	Slice   int
}

// parseSlicePath reads a path made by slicePath back. It is used on names
// found on disk at start-up, so it accepts nothing else.
func parseSlicePath(rel string, loc *time.Location) (slicePathInfo, error) {
	bad := func(why string) (slicePathInfo, error) {
		return slicePathInfo{}, fmt.Errorf("%q is not a recording path {ch}/{YYYY-MM-DD}/{HHMMSS}_{slice}.mp4: %s", rel, why)
	}
	parts := strings.Split(rel, "/")
	if len(parts) != 3 {
		return bad("want three path elements")
	}
	ch, date, name := parts[0], parts[1], parts[2]
	if !validChannelID(ch) {
		return bad("channel id is not 1 to 64 of [a-z0-9_-]")
	}
	base, ok := strings.CutSuffix(name, ".mp4")
	if !ok {
		return bad("no .mp4 suffix")
	}
	clock, num, ok := strings.Cut(base, "_")
	if !ok || len(clock) != 6 || num == "" || len(num) > 6 || num[0] == '0' {
		return bad("want HHMMSS_N")
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return bad("slice is not a number from 1")
	}
	start, err := time.ParseInLocation("2006-01-02 150405", date+" "+clock, loc)
	if err != nil {
		return bad(err.Error())
	}
	return slicePathInfo{Channel: ch, Start: start, Slice: n}, nil
}

// CoverSlice reads a cover's path, relative to the records root
// ({ch}/{YYYY-MM-DD}/{HHMMSS}_{slice}.jpg), back into its slice's channel,
// start (in loc) and number, by the same rules as the recordings' paths.
func CoverSlice(rel string, loc *time.Location) (channel string, start time.Time, slice int, err error) {
	base, ok := strings.CutSuffix(rel, ".jpg")
	if !ok {
		return "", time.Time{}, 0, fmt.Errorf("%q is not a cover: no .jpg suffix", rel)
	}
	info, err := parseSlicePath(base+".mp4", loc)
	if err != nil {
		return "", time.Time{}, 0, fmt.Errorf("cover: %w", err)
	}
	return info.Channel, info.Start, info.Slice, nil
}

// validChannelID is the config's rule for channel ids: they name folders.
func validChannelID(ch string) bool {
	if len(ch) == 0 || len(ch) > 64 {
		return false
	}
	for i := 0; i < len(ch); i++ {
		c := ch[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
