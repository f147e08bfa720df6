package bmff

import (
	"testing"
	"time"
)

// Ticks rounds to the nearest tick and does not overflow for long times.
func TestTicks(t *testing.T) {
	cases := []struct {
		d         time.Duration
		timescale uint32
		want      int64
	}{
		{1024 * time.Second / 48000, 90000, 1920}, // 21333333 ns: one AAC frame
		{1024 * time.Second / 48000, 48000, 1024},
		{40 * time.Millisecond, 90000, 3600},
		{100 * 365 * 24 * time.Hour, 90000, 100 * 365 * 24 * 3600 * 90000},
		{0, 90000, 0},
	}
	for _, c := range cases {
		if got := Ticks(c.d, c.timescale); got != c.want {
			t.Errorf("Ticks(%v, %d) = %d, want %d", c.d, c.timescale, got, c.want)
		}
	}
}
