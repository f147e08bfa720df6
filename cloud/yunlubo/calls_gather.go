package yunlubo

import (
	"context"
	"fmt"
)

// ListGathers is one page of §3.16.
func (c *Client) ListGathers(ctx context.Context, cur, per int) (*Page[Gather], error) {
	return listPage[Gather](ctx, c, EndpointListGather, nil, cur, per)
}

// AllGathers walks every page of §3.16.
func (c *Client) AllGathers(ctx context.Context) ([]Gather, error) {
	rows, _, err := walk[Gather](ctx, c, EndpointListGather, nil)
	return rows, err
}

// GatherChange lists the fields mod_gather changes (nil: unchanged).
type GatherChange struct {
	SchoolID *Int
	NameSet  *string
	MainRate *int // Kbps
	SubRate  *int // Kbps
	AutoDVR  *int
	AutoFDS  *int
	SliceVal *int // minutes, [0,30]
	InterVal *int // keyframes, [0,3]
	SnapVal  *int // minutes
}

// ModGather is §3.17. Values outside the document's ranges (slice_val
// [0,30], inter_val [0,3], the others not negative) are refused before
// sending, as the document gives no code for them.
func (c *Client) ModGather(ctx context.Context, id Int, ch GatherChange) error {
	if err := ch.check(); err != nil {
		return err
	}
	v := idValue("gather_id", id)
	if ch.SchoolID != nil {
		v.Set("school_id", ch.SchoolID.String())
	}
	setString(v, "name_set", ch.NameSet)
	setInt(v, "main_rate", ch.MainRate)
	setInt(v, "sub_rate", ch.SubRate)
	setInt(v, "auto_dvr", ch.AutoDVR)
	setInt(v, "auto_fds", ch.AutoFDS)
	setInt(v, "slice_val", ch.SliceVal)
	setInt(v, "inter_val", ch.InterVal)
	setInt(v, "snap_val", ch.SnapVal)
	return c.call(ctx, EndpointModGather, v, nil)
}

func (ch GatherChange) check() error {
	ranges := []struct {
		name     string
		v        *int
		min, max int
	}{
		{"main_rate", ch.MainRate, 0, 1 << 30},
		{"sub_rate", ch.SubRate, 0, 1 << 30},
		{"auto_dvr", ch.AutoDVR, 0, 1},
		{"auto_fds", ch.AutoFDS, 0, 1},
		{"slice_val", ch.SliceVal, 0, 30},
		{"inter_val", ch.InterVal, 0, 3},
		{"snap_val", ch.SnapVal, 0, 1 << 20},
	}
	for _, r := range ranges {
		if r.v != nil && (*r.v < r.min || *r.v > r.max) {
			return fmt.Errorf("yunlubo: mod_gather: %s %d outside [%d,%d]", r.name, *r.v, r.min, r.max)
		}
	}
	return nil
}
