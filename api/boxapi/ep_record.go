package boxapi

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/storage"
)

// recordRow is one row of list_record (§3.25). file_size and duration are
// strings, as the document's example writes them.
type recordRow struct {
	RecordID    int64  `json:"record_id"`
	GatherID    int64  `json:"gather_id"`
	CameraID    int64  `json:"camera_id"`
	CameraName  string `json:"camera_name"`
	GradeID     int64  `json:"grade_id"`
	GradeType   string `json:"grade_type"`
	GradeName   string `json:"grade_name"`
	SubjectID   int64  `json:"subject_id"`
	SubjectName string `json:"subject_name"`
	TeacherID   int64  `json:"teacher_id"`
	TeacherName string `json:"teacher_name"`
	TitleName   string `json:"title_name"`
	FileFDFS    string `json:"file_fdfs"`
	ImageFDFS   string `json:"image_fdfs"`
	FileSize    string `json:"file_size"`
	Duration    string `json:"duration"`
	Disptime    string `json:"disptime"`
	Clicks      int64  `json:"clicks"`
	Created     string `json:"created"`
	Updated     string `json:"updated"`
}

// recordsPath is where lubo's api serves record files (DESIGN.md).
func recordsPath(rel string) string {
	if rel == "" {
		return ""
	}
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/records/" + strings.Join(segs, "/")
}

// disptime writes a duration as the field list says: 00:00:00.
func disptime(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// listRecord is §3.25: finished records, newest first; file_fdfs and
// image_fdfs are paths under storage_addr (the box).
func (h *Handler) listRecord(c *call) (any, *refusal) {
	cur, per := yunlubo.PageParams(c.p)
	offset := (cur - 1) * per
	if cur > 1 && offset/per != cur-1 { // overflow
		offset = int(^uint(0) >> 2)
	}
	recs, total, err := h.opts.Records.List(offset, per)
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	cams, err := h.cameras()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	subjects, teachers, err := h.names()
	if err != nil {
		return nil, h.storeFailed(c, err)
	}
	byID := map[string]camera{}
	for _, cam := range cams {
		byID[cam.ID] = cam
	}
	g, dir := h.gather(), h.opts.Box.Directory()
	rows := make([]recordRow, 0, len(recs))
	for _, r := range recs {
		cam, known := byID[r.Channel]
		row := recordRow{
			RecordID: int64(r.Seq), GatherID: int64(g.GatherID), CameraName: r.Channel,
			SubjectName: r.Subject, SubjectID: findID(subjects, r.Subject),
			TeacherName: r.Teacher, TeacherID: findID(teachers, r.Teacher),
			FileFDFS: recordsPath(r.Path), ImageFDFS: recordsPath(r.Cover),
			FileSize: strconv.FormatInt(r.Size, 10), Duration: strconv.FormatInt(int64(r.Duration/time.Second), 10),
			Disptime: disptime(r.Duration), Clicks: h.clicksOf("record " + r.ID),
			Created: h.stamp(r.Created), Updated: h.stamp(r.Updated),
		}
		if known {
			row.CameraID, row.CameraName, row.GradeID = cam.number, cam.Name, cam.GradeID
			for _, gr := range dir.Grades {
				if int64(gr.GradeID) == cam.GradeID {
					row.GradeType, row.GradeName = gr.GradeType, gr.GradeName
				}
			}
		}
		rows = append(rows, row)
	}
	pg := makePage(cur, per, total, rows, true)
	pg.StorageAddr = c.base
	return pg, nil
}

// delRecord is §3.26: records go with their video and cover. Every id
// must be a finished record, or nothing is deleted.
func (h *Handler) delRecord(c *call) (any, *refusal) {
	ids, _ := yunlubo.ParseIDList(c.p.Get("record_id"))
	var recs []*storage.Record
	for _, n := range ids {
		r, err := h.opts.Records.BySeq(uint64(n))
		if errors.Is(err, storage.ErrNotFound) {
			return nil, refuseWhy(yunlubo.CodeNoID, fmt.Sprintf("没有编号, 请确认参数 (no record_id %d on this box)", n))
		}
		if err != nil {
			return nil, h.storeFailed(c, err)
		}
		recs = append(recs, r)
	}
	for _, r := range recs {
		if err := h.opts.Records.Delete(r); err != nil {
			return nil, h.storeFailed(c, err)
		}
		h.log.Info("boxapi: record deleted", "record", r.ID, "path", r.Path)
	}
	return okAnswer, nil
}
