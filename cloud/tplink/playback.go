package tplink

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

const (
	pathSearchYear           = "/vms/open/webServer/v1/searchYear"
	pathSearchVideo          = "/vms/open/webServer/v2/searchVideo"
	pathSearchHumanDetection = "/vms/open/webServer/v2/searchHumanDetectionVideo"

	maxSearchYearDevices = 100 // §1.4.5.6: devList at most 100 long
	videoPageSize        = 100 // §1.4.5.7: endIdx - startIdx at most 100
	maxVideosPerAnswer   = 10000
)

// ChannelRef names one channel of one device. QRCode or MAC must be set.
type ChannelRef struct {
	QRCode  string `json:"qrCode,omitempty"`
	MAC     string `json:"mac,omitempty"`
	Channel int    `json:"channelId"`
}

func (r ChannelRef) check() error {
	if r.QRCode == "" && r.MAC == "" {
		return fmt.Errorf("channel %d: neither qrCode nor mac given (one is required)", r.Channel)
	}
	if r.Channel < 1 || r.Channel > 65535 {
		return fmt.Errorf("channel %d out of range (accepted: 1-65535)", r.Channel)
	}
	return nil
}

// RecordingDay is one entry of searchYear's dates, "mmddxxx": month, day
// and a sequence number from 001.
type RecordingDay struct {
	Month time.Month
	Day   int
	Seq   int
}

// RecordingDays are the days with recordings of one channel in a year.
type RecordingDays struct {
	ChannelRef
	Days []RecordingDay
}

// ChannelFailure is a channel the cloud could not search (failList).
type ChannelFailure struct {
	ChannelRef
	Err *Error
}

// SearchYear returns, per channel, the days of year that have recordings
// (§1.4.5.6). Channels the cloud could not search come back in failed. More
// than 100 channels are sent in several calls.
func (c *Client) SearchYear(ctx context.Context, year int, refs []ChannelRef) (found []RecordingDays, failed []ChannelFailure, err error) {
	const op = "searchYear"
	if year < 1970 || year > 9999 {
		return nil, nil, fmt.Errorf("tplink: %s: year %d out of range (accepted: 1970-9999)", op, year)
	}
	for _, r := range refs {
		if err := r.check(); err != nil {
			return nil, nil, fmt.Errorf("tplink: %s: %w", op, err)
		}
	}
	for len(refs) > 0 {
		n := min(len(refs), maxSearchYearDevices)
		f, fl, err := c.searchYear(ctx, year, refs[:n])
		if err != nil {
			return nil, nil, err
		}
		found, failed = append(found, f...), append(failed, fl...)
		refs = refs[n:]
	}
	return found, failed, nil
}

func (c *Client) searchYear(ctx context.Context, year int, refs []ChannelRef) ([]RecordingDays, []ChannelFailure, error) {
	const op = "searchYear"
	raw, err := c.post(ctx, op, pathSearchYear, struct {
		DevList []ChannelRef `json:"devList"`
		Year    string       `json:"year"`
	}{refs, fmt.Sprintf("%04d", year)})
	if err != nil {
		return nil, nil, err
	}
	type ref struct {
		QRCode    string  `json:"qrCode"`
		MAC       string  `json:"mac"`
		ChannelID flexInt `json:"channelId"`
	}
	var res struct {
		DeviceVideoInfoList []struct {
			ref
			Dates []string `json:"dates"`
		} `json:"deviceVideoInfoList"`
		FailList []struct {
			ref
			ErrorCode flexInt `json:"error_code"`
		} `json:"failList"`
	}
	if err := decodeResult(op, raw, &res); err != nil {
		return nil, nil, err
	}
	if len(res.DeviceVideoInfoList)+len(res.FailList) > 2*len(refs) {
		return nil, nil, fmt.Errorf("tplink: %s: answer has more entries than channels asked", op)
	}
	var found []RecordingDays
	for _, d := range res.DeviceVideoInfoList {
		rd := RecordingDays{ChannelRef: ChannelRef{QRCode: d.QRCode, MAC: d.MAC, Channel: d.ChannelID.v}}
		if len(d.Dates) > 366*10 {
			return nil, nil, fmt.Errorf("tplink: %s: %d dates for one channel", op, len(d.Dates))
		}
		for _, s := range d.Dates {
			day, err := parseRecordingDay(s)
			if err != nil {
				return nil, nil, fmt.Errorf("tplink: %s: %w", op, err)
			}
			rd.Days = append(rd.Days, day)
		}
		found = append(found, rd)
	}
	var failed []ChannelFailure
	for _, f := range res.FailList {
		failed = append(failed, ChannelFailure{
			ChannelRef: ChannelRef{QRCode: f.QRCode, MAC: f.MAC, Channel: f.ChannelID.v},
			Err:        newError(op, f.ErrorCode.v, ""),
		})
	}
	return found, failed, nil
}

// parseRecordingDay reads "mmddxxx".
func parseRecordingDay(s string) (RecordingDay, error) {
	bad := fmt.Errorf("date %.20q is not mmddxxx", s)
	if len(s) != 7 {
		return RecordingDay{}, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return RecordingDay{}, bad
		}
	}
	m, _ := strconv.Atoi(s[0:2])
	d, _ := strconv.Atoi(s[2:4])
	seq, _ := strconv.Atoi(s[4:7])
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return RecordingDay{}, bad
	}
	return RecordingDay{Month: time.Month(m), Day: d, Seq: seq}, nil
}

// Video is one recording event of a day (§1.4.5.7, §1.4.5.8).
type Video struct {
	Start, End time.Time
	Type       []int // videoType, table 1.4.5.1-1/-2
	Source     int   // 0 IPC, 1 NVR
}

// VideoSearch is the answer of a day's search.
type VideoSearch struct {
	UserID int
	Videos []Video
}

type videoPage struct {
	UserID flexInt `json:"userId"`
	Videos []struct {
		StartTime  flexInt `json:"startTime"`
		EndTime    flexInt `json:"endTime"`
		VideoType  []int   `json:"videoType"`
		SourceType flexInt `json:"sourceType"`
	} `json:"videos"`
}

func (p videoPage) append(to *VideoSearch) {
	to.UserID = p.UserID.v
	for _, v := range p.Videos {
		to.Videos = append(to.Videos, Video{
			Start:  time.Unix(int64(v.StartTime.v), 0),
			End:    time.Unix(int64(v.EndTime.v), 0),
			Type:   v.VideoType,
			Source: v.SourceType.v,
		})
	}
}

// SearchVideo returns every recording of the day (day's date in its own
// location) on the channel, 100 events per call, at most MaxPages calls.
func (c *Client) SearchVideo(ctx context.Context, ref ChannelRef, day time.Time) (VideoSearch, error) {
	const op = "searchVideo"
	if err := ref.check(); err != nil {
		return VideoSearch{}, fmt.Errorf("tplink: %s: %w", op, err)
	}
	var out VideoSearch
	for page := 0; ; page++ {
		if page >= c.cfg.MaxPages {
			return VideoSearch{}, fmt.Errorf("tplink: %s: still more videos after %d pages; giving up (MaxPages)", op, c.cfg.MaxPages)
		}
		start := page * videoPageSize
		raw, err := c.post(ctx, op, pathSearchVideo, struct {
			ChannelRef
			SearchDay string `json:"searchDay"`
			StartIdx  int    `json:"startIdx"`
			EndIdx    int    `json:"endIdx"`
		}{ref, day.Format("20060102"), start, start + videoPageSize - 1})
		if err != nil {
			return VideoSearch{}, err
		}
		var p videoPage
		if err := decodeResult(op, raw, &p); err != nil {
			return VideoSearch{}, err
		}
		if len(p.Videos) > videoPageSize {
			return VideoSearch{}, fmt.Errorf("tplink: %s: page has %d videos, more than the %d asked for", op, len(p.Videos), videoPageSize)
		}
		p.append(&out)
		if len(p.Videos) < videoPageSize {
			return out, nil
		}
	}
}

// SearchHumanDetectionVideo returns the day's recordings with a person
// detected (§1.4.5.8; one call, the document has no paging for it).
func (c *Client) SearchHumanDetectionVideo(ctx context.Context, ref ChannelRef, day time.Time) (VideoSearch, error) {
	const op = "searchHumanDetectionVideo"
	if err := ref.check(); err != nil {
		return VideoSearch{}, fmt.Errorf("tplink: %s: %w", op, err)
	}
	raw, err := c.post(ctx, op, pathSearchHumanDetection, struct {
		ChannelRef
		SearchDay string `json:"searchDay"`
	}{ref, day.Format("20060102")})
	if err != nil {
		return VideoSearch{}, err
	}
	var p videoPage
	if err := decodeResult(op, raw, &p); err != nil {
		return VideoSearch{}, err
	}
	if len(p.Videos) > maxVideosPerAnswer {
		return VideoSearch{}, fmt.Errorf("tplink: %s: %d videos, more than the %d accepted", op, len(p.Videos), maxVideosPerAnswer)
	}
	var out VideoSearch
	p.append(&out)
	return out, nil
}
