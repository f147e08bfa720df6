package boxapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/storage"
)

// camera is a channel of the box with its API number, merged from the
// daemon's view and the store's (an API channel the daemon has not taken up
// yet is listed too, offline).
type camera struct {
	Channel
	number int64
	stored *storage.BoxChannel // API channels only
}

// serverNumber is n of a server camera's channel id "y{n}", else 0.
func serverNumber(id string) uint64 {
	if rest, ok := strings.CutPrefix(id, "y"); ok {
		if n, err := strconv.ParseUint(rest, 10, 63); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// cameras lists every channel with its number.
func (h *Handler) cameras() ([]camera, error) {
	stored, err := h.opts.DB.BoxChannels()
	if err != nil {
		return nil, err
	}
	byID := map[string]*storage.BoxChannel{}
	for i := range stored {
		byID[stored[i].ID] = &stored[i]
	}
	var out []camera
	seen := map[string]bool{}
	for _, ch := range h.opts.Box.Channels() {
		if seen[ch.ID] {
			continue
		}
		seen[ch.ID] = true
		c := camera{Channel: ch}
		if s := byID[ch.ID]; s != nil {
			c.Origin, c.stored = OriginAPI, s
		} else if c.Origin == OriginAPI {
			continue // removed through the API, not yet gone from the daemon
		}
		out = append(out, c)
	}
	for i := range stored {
		s := &stored[i]
		if !seen[s.ID] {
			out = append(out, camera{Channel: Channel{ID: s.ID, Origin: OriginAPI}, stored: s})
		}
	}
	for i := range out {
		c := &out[i]
		if c.stored != nil {
			s := c.stored
			c.Name, c.GradeID, c.StreamProp, c.StreamMP4 = s.Name, s.GradeID, s.StreamProp, s.StreamMP4
			c.StreamURL = redact.URL(s.StreamURL)
			c.number = int64(s.Number)
			continue
		}
		n, err := h.opts.DB.BoxNumber(storage.BoxKindCamera, c.ID, serverNumber(c.ID))
		if err != nil {
			return nil, err
		}
		c.number = int64(n)
	}
	return out, nil
}

// cameraByNumber finds camera_id among the channels.
func (h *Handler) cameraByNumber(c *call, key string) (*camera, *refusal) {
	n, _ := yunlubo.ParseID(c.p.Get(key))
	cams, err := h.cameras()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	for i := range cams {
		if cams[i].number == n {
			return &cams[i], nil
		}
	}
	return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no camera_id %d on this box)", n))
}

// editable refuses edits of channels the API does not own.
func (h *Handler) editable(c *camera) *refusal {
	switch c.Origin {
	case OriginAPI:
		return nil
	case OriginServer:
		return refuseWhy(yunlubo.CodeNoAPIAccess, fmt.Sprintf(
			"通道 %d 由云录播服务器管理, 请在服务器上修改 (channel %s belongs to the 云录播 server, which is the source of truth: edit it there)", c.number, c.ID))
	default:
		return refuseWhy(yunlubo.CodeNoAPIAccess, fmt.Sprintf(
			"通道 %d 在配置文件中定义, 请修改配置文件 (channel %s is defined in the config file: edit it there)", c.number, c.ID))
	}
}
