package tplinktest

import (
	"encoding/base64"
	"slices"
	"time"
)

// createTempCredential is §1.4.1.1.
func (s *Server) createTempCredential(q request) answer {
	var in struct {
		ExpireTime *int64 `json:"expireTime"`
	}
	if len(q.body) > 0 {
		if a := decode(q.body, &in); a != nil {
			return *a
		}
	}
	if q.key.temp {
		return fail(codeNoPermission, "权限不足: 临时AK/SK不能创建临时AK/SK")
	}
	life := int64(1800)
	if in.ExpireTime != nil {
		life = *in.ExpireTime
	}
	if life < 1 || life > 86400 {
		return fail(codeParam, "expireTime超出范围[1, 86400]")
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tempIssued >= maxTempKeys {
		return fail(codeTempLimit, "临时AK/SK数量达到上限")
	}
	s.tempIssued++
	ak := base64.StdEncoding.EncodeToString([]byte(randomHex(8)))
	sk := randomHex(16)
	expires := now.Add(time.Duration(life) * time.Second)
	s.keys[ak] = &key{sk: sk, temp: true, expires: expires}
	return ok(map[string]any{
		"tempAk":     ak,
		"tempSk":     sk,
		"createTime": now.Unix(),
		"expireTime": expires.Unix(),
	})
}

// listDevices is §1.4.3.10 (project false) and §1.4.3.11 (project true).
func (s *Server) listDevices(project bool) func(request) answer {
	return func(q request) answer {
		if project != s.opts.ProjectApplication {
			if project {
				return fail(codeNotProjectApp, "接口目标不是项目型应用")
			}
			return fail(codeNotDeviceApp, "接口目标不是设备型应用")
		}
		var in struct {
			Start     *int `json:"start"`
			Limit     *int `json:"limit"`
			FilterAnd struct {
				HasChild       *int     `json:"hasChild"`
				DeviceTypeList []string `json:"deviceTypeList"`
			} `json:"filterAnd"`
		}
		if a := decode(q.body, &in); a != nil {
			return *a
		}
		if in.Start == nil || *in.Start < 0 {
			return fail(codeBadStart, "START参数是否合法")
		}
		if in.Limit == nil || *in.Limit < 1 || *in.Limit > 100 {
			return fail(codeBadLimit, "limit参数是否合法")
		}
		// hasChild as each section prints it: device application 1 = with
		// children (default 0); project application 0 = with children
		// (default 0), 1 = without.
		withChildren := false
		if project {
			withChildren = in.FilterAnd.HasChild == nil || *in.FilterAnd.HasChild == 0
		} else {
			withChildren = in.FilterAnd.HasChild != nil && *in.FilterAnd.HasChild == 1
		}
		s.mu.Lock()
		var match []Device
		for _, d := range s.devices {
			if d.ParentQRCode != "" && !withChildren {
				continue
			}
			if len(in.FilterAnd.DeviceTypeList) > 0 && !slices.Contains(in.FilterAnd.DeviceTypeList, d.Type) {
				continue
			}
			match = append(match, d)
		}
		s.mu.Unlock()
		page := []Device{}
		if *in.Start < len(match) {
			page = match[*in.Start:min(len(match), *in.Start+*in.Limit)]
		}
		return ok(map[string]any{"total": len(match), "list": page})
	}
}

// listChannels is §1.4.3.13.
func (s *Server) listChannels(q request) answer {
	var in struct {
		QRCode string `json:"qrCode"`
		MAC    string `json:"mac"`
	}
	if a := decode(q.body, &in); a != nil {
		return *a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	qr := in.QRCode
	if qr == "" && in.MAC != "" {
		for _, d := range s.devices {
			if d.MAC == in.MAC {
				qr = d.QRCode
			}
		}
	}
	if qr == "" && in.MAC == "" {
		return fail(codeParam, "mac与qrCode两者至少存在一个")
	}
	chs, found := s.channels[qr]
	if !found {
		return fail(codeNotInApp, "设备不存在于应用中")
	}
	online := 0
	for _, c := range chs {
		if c.Status == 1 {
			online++
		}
	}
	if chs == nil {
		chs = []Channel{}
	}
	return ok(map[string]any{"channelNum": len(chs), "connectedChannelNum": online, "channelList": chs})
}
