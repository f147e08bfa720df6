package boxapi

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/storage"
)

// cameraRow is one row of list_camera with the field list's names (§3.18).
// device_pass is always empty: this box never gives a password out.
type cameraRow struct {
	CameraID      int64  `json:"camera_id"`
	CameraName    string `json:"camera_name"`
	ImageID       int64  `json:"image_id"`
	ImageFDFS     string `json:"image_fdfs"`
	GatherID      int64  `json:"gather_id"`
	NameSet       string `json:"name_set"`
	SchoolID      int64  `json:"school_id"`
	SchoolName    string `json:"school_name"`
	GradeID       int64  `json:"grade_id"`
	GradeType     string `json:"grade_type"`
	GradeName     string `json:"grade_name"`
	StreamProp    int    `json:"stream_prop"`
	StreamURL     string `json:"stream_url"`
	StreamMP4     string `json:"stream_mp4"`
	DeviceIP      string `json:"device_ip"`
	DeviceUser    string `json:"device_user"`
	DevicePass    string `json:"device_pass"`
	DeviceCmdPort int64  `json:"device_cmd_port"`
	DeviceMirror  int    `json:"device_mirror"`
	DeviceOSD     int    `json:"device_osd"`
	DeviceTwice   int    `json:"device_twice"`
	DeviceShow    int    `json:"device_show"`
	Status        int    `json:"status"`
	Clicks        int64  `json:"clicks"`
	Created       string `json:"created"`
	Updated       string `json:"updated"`
}

func (h *Handler) cameraRow(c camera, g yunlubo.Gather, dir Directory) cameraRow {
	row := cameraRow{
		CameraID: c.number, CameraName: c.Name, ImageID: c.number,
		GatherID: int64(g.GatherID), NameSet: g.NameSet, SchoolID: int64(g.SchoolID),
		GradeID: c.GradeID, StreamProp: c.StreamProp, StreamURL: c.StreamURL, StreamMP4: c.StreamMP4,
		DeviceIP: c.DeviceIP, DeviceUser: c.DeviceUser, DeviceOSD: 1, DeviceShow: 1,
		Clicks: h.clicksOf("camera " + c.ID),
	}
	if row.CameraName == "" {
		row.CameraName = c.ID
	}
	if c.HasSnapshot {
		row.ImageFDFS = "/snapshots/" + url.PathEscape(c.ID) + ".jpg"
	}
	if c.Up {
		row.Status = 1
	}
	for _, s := range dir.Schools {
		if s.SchoolID == g.SchoolID {
			row.SchoolName = s.Name
		}
	}
	for _, gr := range dir.Grades {
		if int64(gr.GradeID) == c.GradeID {
			row.GradeType, row.GradeName = gr.GradeType, gr.GradeName
		}
	}
	if c.stored != nil {
		row.Created, row.Updated = h.stamp(c.stored.Created), h.stamp(c.stored.Updated)
	}
	return row
}

// listCamera is §3.18: every channel; storage_addr is the box.
func (h *Handler) listCamera(c *call) (any, *refusal) {
	cams, err := h.cameras()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	g, dir := h.gather(), h.opts.Box.Directory()
	rows := make([]cameraRow, 0, len(cams))
	for _, cam := range cams {
		rows = append(rows, h.cameraRow(cam, g, dir))
	}
	pg := paginate(c.p, rows, true)
	pg.StorageAddr = c.base
	return pg, nil
}

// cameraStatus is §3.22: 1 while the channel's source delivers.
func (h *Handler) cameraStatus(c *call) (any, *refusal) {
	cam, ref := h.cameraByNumber(c, "camera_id")
	if ref != nil {
		return nil, ref
	}
	status := 0
	if cam.Up {
		status = 1
	}
	return struct {
		ErrCode  int    `json:"err_code"`
		ErrMsg   string `json:"err_msg"`
		CameraID int64  `json:"camera_id"`
		Status   int    `json:"status"`
	}{0, "OK", cam.number, status}, nil
}

type transmitAnswer struct {
	ErrCode  int      `json:"err_code"`
	ErrMsg   string   `json:"err_msg"`
	Transmit transmit `json:"transmit"`
}

var transmitOK = transmitAnswer{0, "OK", okAnswer}

// startCamera is §3.23: the channel's source runs from now on, as if a
// viewer watched it, until stop_camera (or a restart of lubo).
func (h *Handler) startCamera(c *call) (any, *refusal) {
	cam, ref := h.cameraByNumber(c, "camera_id")
	if ref != nil {
		return nil, ref
	}
	h.pinMu.Lock()
	defer h.pinMu.Unlock()
	if p := h.pins[cam.ID]; p != nil && p.alive() {
		return transmitOK, nil
	}
	st, ok := h.opts.Box.LiveStream(cam.ID)
	if !ok {
		return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("通道 %d 尚未运行 (channel %s is not running yet)", cam.number, cam.ID))
	}
	hd, err := h.holdStream(st, "start_camera")
	if err != nil {
		return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("通道 %d 正在停止 (channel %s is stopping)", cam.number, cam.ID))
	}
	h.pins[cam.ID] = hd
	h.log.Info("boxapi: start_camera", "channel", cam.ID)
	return transmitOK, nil
}

// stopCamera is §3.24: ends what start_camera started. An on-demand source
// then stops idle_timeout after its last viewer; an always-on one keeps
// running, as its config says.
func (h *Handler) stopCamera(c *call) (any, *refusal) {
	cam, ref := h.cameraByNumber(c, "camera_id")
	if ref != nil {
		return nil, ref
	}
	h.unpin(cam.ID)
	return transmitOK, nil
}

func (h *Handler) unpin(id string) {
	h.pinMu.Lock()
	p := h.pins[id]
	delete(h.pins, id)
	h.pinMu.Unlock()
	if p != nil {
		p.release()
		h.log.Info("boxapi: stop_camera", "channel", id)
	}
}

const maxNameBytes = 256

// checkName: camera_name must be a short line of text (1008 otherwise).
func checkName(s string) *refusal {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxNameBytes || !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r\n") {
		return refuseWhy(yunlubo.CodeNoName, fmt.Sprintf("没有名称, 请确认参数 (camera_name: 1-%d bytes of text on one line)", maxNameBytes))
	}
	return nil
}

// checkSource checks the address of stream_prop 1 (an MP4 file on this box)
// or 2 (rtsp:// or rtmp://): 1008, the code §3.19 has for what is missing.
func checkSource(prop int, streamURL, mp4 string) *refusal {
	switch prop {
	case yunlubo.StreamMP4File:
		fi, err := os.Stat(mp4)
		if !filepath.IsAbs(mp4) || err != nil || !fi.Mode().IsRegular() {
			return refuseWhy(yunlubo.CodeNoName, "没有名称, 请确认参数 (stream_mp4 must be the full path of an MP4 file on this box)")
		}
	case yunlubo.StreamForward:
		u, err := url.Parse(streamURL)
		if err != nil || (u.Scheme != "rtsp" && u.Scheme != "rtmp") || u.Host == "" || len(streamURL) > 2048 {
			return refuseWhy(yunlubo.CodeNoName, "没有名称, 请确认参数 (stream_url must be an rtsp:// or rtmp:// address)")
		}
	default:
		return refuseWhy(yunlubo.CodeNoID, "没有编号, 请确认参数 (stream_prop: this box adds 1 (MP4 file) or 2 (rtsp/rtmp forward) channels)")
	}
	return nil
}

// checkGrade: with grades known, grade_id must be one of them.
func (h *Handler) checkGrade(id int64) *refusal {
	grades := h.opts.Box.Directory().Grades
	if len(grades) == 0 {
		return nil
	}
	for _, g := range grades {
		if int64(g.GradeID) == id {
			return nil
		}
	}
	return refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no grade_id %d)", id))
}

// addCamera is §3.19: an MP4-file or forward channel, kept in the store.
func (h *Handler) addCamera(c *call) (any, *refusal) {
	gather, _ := yunlubo.ParseID(c.p.Get("gather_id"))
	grade, _ := yunlubo.ParseID(c.p.Get("grade_id"))
	if g := h.gather(); gather != int64(g.GatherID) {
		return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (gather_id %d: this box is gather %d)", gather, g.GatherID))
	}
	if ref := h.checkGrade(grade); ref != nil {
		return nil, ref
	}
	if ref := checkName(c.p.Get("camera_name")); ref != nil {
		return nil, ref
	}
	ch := storage.BoxChannel{Name: strings.TrimSpace(c.p.Get("camera_name")), GradeID: grade}
	ch.StreamProp = map[string]int{"1": yunlubo.StreamMP4File, "2": yunlubo.StreamForward}[strings.TrimSpace(c.p.Get("stream_prop"))]
	if ch.StreamProp == yunlubo.StreamMP4File {
		ch.StreamMP4 = strings.TrimSpace(c.p.Get("stream_mp4"))
	} else {
		ch.StreamURL = strings.TrimSpace(c.p.Get("stream_url"))
	}
	if ref := checkSource(ch.StreamProp, ch.StreamURL, ch.StreamMP4); ref != nil {
		return nil, ref
	}
	h.edit.Lock()
	err := h.opts.DB.AddBoxChannel(&ch)
	h.edit.Unlock()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	h.log.Info("boxapi: channel added", "channel", ch)
	h.changed()
	return struct {
		ErrCode  int      `json:"err_code"`
		ErrMsg   string   `json:"err_msg"`
		CameraID int64    `json:"camera_id"`
		Transmit transmit `json:"transmit"`
	}{0, "OK", int64(ch.Number), okAnswer}, nil
}

// modCamera is §3.20 for the API's own channels.
func (h *Handler) modCamera(c *call) (any, *refusal) {
	h.edit.Lock()
	defer h.edit.Unlock()
	cam, ref := h.cameraByNumber(c, "camera_id")
	if ref != nil {
		return nil, ref
	}
	if ref := h.editable(cam); ref != nil {
		return nil, ref
	}
	ch := *cam.stored
	p := c.p
	if p.Has("camera_name") {
		if ref := checkName(p.Get("camera_name")); ref != nil {
			return nil, ref
		}
		ch.Name = strings.TrimSpace(p.Get("camera_name"))
	}
	if p.Has("grade_id") {
		grade, _ := yunlubo.ParseID(p.Get("grade_id"))
		if ref := h.checkGrade(grade); ref != nil {
			return nil, ref
		}
		ch.GradeID = grade
	}
	if p.Has("stream_prop") {
		ch.StreamProp = map[string]int{"0": yunlubo.StreamCamera, "1": yunlubo.StreamMP4File, "2": yunlubo.StreamForward}[strings.TrimSpace(p.Get("stream_prop"))]
	}
	if p.Has("stream_url") {
		ch.StreamURL = strings.TrimSpace(p.Get("stream_url"))
	}
	if p.Has("stream_mp4") {
		ch.StreamMP4 = strings.TrimSpace(p.Get("stream_mp4"))
	}
	if ref := checkSource(ch.StreamProp, ch.StreamURL, ch.StreamMP4); ref != nil {
		return nil, ref
	}
	if ch.StreamProp == yunlubo.StreamMP4File {
		ch.StreamURL = ""
	} else {
		ch.StreamMP4 = ""
	}
	if err := h.opts.DB.PutBoxChannel(&ch); err != nil {
		return nil, h.storeFailed(c, err)
	}
	h.log.Info("boxapi: channel changed", "channel", ch)
	h.changed()
	return transmitOK, nil
}

// delCamera is §3.21: the channels go with their courses, records, video
// files and covers. Every id must be an API channel, or nothing is deleted.
func (h *Handler) delCamera(c *call) (any, *refusal) {
	h.edit.Lock()
	defer h.edit.Unlock()
	ids, _ := yunlubo.ParseIDList(c.p.Get("camera_id"))
	cams, err := h.cameras()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	byNumber := map[int64]*camera{}
	for i := range cams {
		byNumber[cams[i].number] = &cams[i]
	}
	var gone []string
	for _, n := range ids {
		cam := byNumber[n]
		if cam == nil {
			return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no camera_id %d on this box)", n))
		}
		if ref := h.editable(cam); ref != nil {
			return nil, ref
		}
		gone = append(gone, cam.ID)
	}
	if err := h.opts.DB.DeleteBoxChannels(gone); err != nil {
		return nil, h.storeFailed(c, err)
	}
	for _, id := range gone {
		h.unpin(id)
		recs, err := h.opts.Records.OfChannel(id)
		if err != nil {
			h.log.Error("boxapi: del_camera: listing records", "channel", id, "err", err)
		}
		for _, r := range recs {
			if err := h.opts.Records.Delete(r); err != nil {
				h.log.Warn("boxapi: del_camera: record kept", "channel", id, "record", r.ID, "err", err)
			}
		}
		h.log.Info("boxapi: channel deleted", "channel", id, "records", len(recs))
	}
	h.changed()
	return okAnswer, nil
}

func (h *Handler) clicksOf(key string) int64 {
	h.clickMu.Lock()
	defer h.clickMu.Unlock()
	return h.clicks[key]
}

func (h *Handler) click(key string) {
	h.clickMu.Lock()
	defer h.clickMu.Unlock()
	if len(h.clicks) < 100000 {
		h.clicks[key]++
	}
}
