package tplinktest

import (
	"fmt"
	"sort"
	"time"
)

// searchYear is §1.4.5.6.
func (s *Server) searchYear(q request) answer {
	var in struct {
		DevList []struct {
			QRCode    string `json:"qrCode"`
			MAC       string `json:"mac"`
			ChannelID *int   `json:"channelId"`
		} `json:"devList"`
		Year string `json:"year"`
	}
	if a := decode(q.body, &in); a != nil {
		return *a
	}
	if len(in.DevList) == 0 || len(in.DevList) > 100 {
		return fail(codeParam, "devList长度须在1到100之间")
	}
	year, err := time.ParseInLocation("2006", in.Year, s.opts.Location)
	if err != nil || len(in.Year) != 4 {
		return fail(codeParam, "year格式为yyyy")
	}
	found, failed := []map[string]any{}, []map[string]any{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range in.DevList {
		if (d.QRCode == "" && d.MAC == "") || d.ChannelID == nil {
			return fail(codeParam, "mac与qrCode两者至少存在一个, channelId必选")
		}
		entry := map[string]any{"channelId": *d.ChannelID}
		if d.QRCode != "" {
			entry["qrCode"] = d.QRCode
		} else {
			entry["mac"] = d.MAC
		}
		qr, known := s.findChannel(d.QRCode, d.MAC, *d.ChannelID)
		if !known {
			entry["error_code"] = codeNotInApp
			failed = append(failed, entry)
			continue
		}
		days := map[string]bool{}
		var list []string
		for _, r := range s.recordings[channelKey(qr, *d.ChannelID)] {
			t := r.Start.In(s.opts.Location)
			if t.Year() != year.Year() {
				continue
			}
			md := t.Format("0102")
			if !days[md] {
				days[md] = true
				list = append(list, md)
			}
		}
		sort.Strings(list)
		for i := range list {
			list[i] += fmt.Sprintf("%03d", i+1)
		}
		entry["dates"] = list
		found = append(found, entry)
	}
	res := map[string]any{"deviceVideoInfoList": found}
	if len(failed) > 0 {
		res["failList"] = failed
	}
	return ok(res)
}

// searchVideo is §1.4.5.7 (human false) and §1.4.5.8 (human true).
func (s *Server) searchVideo(human bool) func(request) answer {
	return func(q request) answer {
		var in struct {
			QRCode    string `json:"qrCode"`
			MAC       string `json:"mac"`
			ChannelID *int   `json:"channelId"`
			SearchDay string `json:"searchDay"`
			StartIdx  *int   `json:"startIdx"`
			EndIdx    *int   `json:"endIdx"`
		}
		if a := decode(q.body, &in); a != nil {
			return *a
		}
		if (in.QRCode == "" && in.MAC == "") || in.ChannelID == nil {
			return fail(codeParam, "mac与qrCode两者至少存在一个, channelId必选")
		}
		day, err := time.ParseInLocation("20060102", in.SearchDay, s.opts.Location)
		if err != nil || len(in.SearchDay) != 8 {
			return fail(codeParam, "searchDay格式为yyyyMMdd")
		}
		from, to := 0, 1<<30
		if !human {
			if in.StartIdx == nil || in.EndIdx == nil || *in.StartIdx < 0 || *in.EndIdx < *in.StartIdx || *in.EndIdx-*in.StartIdx > 100 {
				return fail(codeParam, "startIdx、endIdx必选, 差值不能超过100")
			}
			from, to = *in.StartIdx, *in.EndIdx
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		qr, known := s.findChannel(in.QRCode, in.MAC, *in.ChannelID)
		if !known {
			return fail(codeNotInApp, "设备不存在于应用中")
		}
		var match []Recording
		for _, r := range s.recordings[channelKey(qr, *in.ChannelID)] {
			t := r.Start.In(s.opts.Location)
			if t.Year() == day.Year() && t.YearDay() == day.YearDay() && (!human || r.Human) {
				match = append(match, r)
			}
		}
		sort.Slice(match, func(i, j int) bool { return match[i].Start.Before(match[j].Start) })
		videos := []map[string]any{}
		for i := from; i <= to && i < len(match); i++ {
			r := match[i]
			videos = append(videos, map[string]any{
				"startTime":  r.Start.Unix(),
				"endTime":    r.End.Unix(),
				"videoType":  r.Type,
				"sourceType": r.Source,
			})
		}
		return answer{result: map[string]any{"userId": 10, "videos": videos}}
	}
}
