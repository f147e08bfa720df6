package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/recorder/schedule"
	"github.com/lubo-edge/lubo/storage"
)

// courseJSON is one course of the weekly grid.
type courseJSON struct {
	ID        string    `json:"id"`
	Channel   string    `json:"channel"`
	Weekday   int       `json:"weekday"` // 0 Sunday … 6 Saturday
	Start     string    `json:"start"`   // HH:MM:SS
	DurationS int64     `json:"duration_s"`
	Subject   string    `json:"subject,omitempty"`
	Teacher   string    `json:"teacher,omitempty"`
	Origin    string    `json:"origin"`
	Editable  bool      `json:"editable"`
	Problems  []Problem `json:"problems,omitempty"` // what `lubo check` says of it (1010-1013)
}

// occurrenceJSON is a lesson now or next.
type occurrenceJSON struct {
	CourseID string    `json:"course_id"`
	Channel  string    `json:"channel"`
	Subject  string    `json:"subject,omitempty"`
	Teacher  string    `json:"teacher,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

// courseID is the id the grid uses for a course of the running config.
func courseID(co configs.Course) string {
	if co.ExternalID != "" {
		return co.ExternalID
	}
	return schedule.CourseID(co.Channel, co.Weekday, co.StartOfDay())
}

// judged is the running timetable as the recorder and `lubo check` see it:
// each course's problems, and the courses that are kept.
func judged(cfg *configs.Config) (problems map[int][]Problem, kept []schedule.Course) {
	problems = map[int][]Problem{}
	list, where := asSchedule(cfg.Schedule, -1)
	kept, ps := schedule.Split(list)
	for _, p := range ps {
		if i, ok := where[p.Course]; ok {
			problems[i] = append(problems[i], Problem{Code: p.Code, Msg: p.Msg})
		}
	}
	for i, co := range cfg.Schedule {
		if _, err := schedule.ParseTimeOfDay(co.Start); err != nil {
			problems[i] = append(problems[i], Problem{Field: "start", Code: schedule.CodeBadTime, Msg: scheduleMsg(err)})
		}
	}
	return problems, kept
}

// asSchedule converts the config's courses (but the one at skip) for
// schedule.Validate, each named by its index; courses whose start does
// not parse are left out (their problem is reported apart).
func asSchedule(cs []configs.Course, skip int) ([]schedule.Course, map[string]int) {
	where := map[string]int{}
	list := make([]schedule.Course, 0, len(cs)+1)
	for i, co := range cs {
		start, err := schedule.ParseTimeOfDay(co.Start)
		if i == skip || err != nil {
			continue
		}
		name := fmt.Sprintf("%s course %s", originName(co.Origin), courseID(co))
		where[name] = i
		list = append(list, schedule.Course{ID: courseID(co), Channel: co.Channel, Weekday: co.Weekday, Start: start,
			Duration: co.Duration, Subject: co.Subject, Teacher: co.Teacher, Where: name})
	}
	return list, where
}

func (h *Handler) serveTimetable(w http.ResponseWriter, _ *http.Request) {
	cfg := h.opts.Config()
	loc := cfg.Location()
	now := h.opts.Now().In(loc)
	problems, kept := judged(cfg)
	type channelRow struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Origin string `json:"origin"`
		// Courses says whether dashboard courses may be added on it.
		Courses bool `json:"courses"`
	}
	out := struct {
		Timezone string            `json:"timezone"`
		Now      time.Time         `json:"now"`
		Channels []channelRow      `json:"channels"`
		Courses  []courseJSON      `json:"courses"`
		Current  []occurrenceJSON  `json:"current"`
		Next     []occurrenceJSON  `json:"next"` // the next lesson of each channel within a week
		Unused   []courseJSON      `json:"unused,omitempty"`
		Sessions map[string]string `json:"recording"` // channel -> course id (or "manual") recording now
	}{Timezone: loc.String(), Now: now, Channels: []channelRow{}, Courses: []courseJSON{}, Current: []occurrenceJSON{}, Next: []occurrenceJSON{}, Sessions: map[string]string{}}
	for _, ch := range cfg.Channels {
		out.Channels = append(out.Channels, channelRow{ID: ch.ID, Name: ch.Name, Origin: originName(ch.Origin), Courses: coursesAllowed(ch.Origin)})
	}
	seen := map[string]bool{}
	for i, co := range cfg.Schedule {
		cj := courseJSON{ID: courseID(co), Channel: co.Channel, Weekday: int(co.Weekday), Start: co.Start, DurationS: int64(co.Duration / time.Second),
			Subject: co.Subject, Teacher: co.Teacher, Origin: originName(co.Origin), Editable: co.Origin == Origin, Problems: problems[i]}
		if co.Origin == Origin {
			seen[co.ExternalID] = true
		}
		out.Courses = append(out.Courses, cj)
	}
	// Stored courses the composition left out (their channel went away).
	if stored, err := h.opts.DB.DashCourses(); err == nil {
		for _, c := range stored {
			if !seen[c.ID] {
				out.Unused = append(out.Unused, courseJSON{ID: c.ID, Channel: c.Channel, Weekday: int(c.Weekday), Start: c.Start,
					DurationS: int64(c.Duration / time.Second), Subject: c.Subject, Teacher: c.Teacher, Origin: Origin, Editable: true,
					Problems: []Problem{{Field: "channel", Code: schedule.CodeNoID, Msg: fmt.Sprintf("channel %q is not configured: this course is not recorded", c.Channel)}}})
			}
		}
	}
	if tt, err := schedule.NewTimetable(kept, loc); err == nil {
		for _, o := range tt.Current(now) {
			out.Current = append(out.Current, occurrence(o))
		}
		next := map[string]bool{}
		for _, o := range tt.Between(now, now.Add(7*24*time.Hour)) {
			if !o.Start.After(now) || next[o.Course.Channel] {
				continue
			}
			next[o.Course.Channel] = true
			out.Next = append(out.Next, occurrence(o))
		}
	}
	if b := h.opts.Box(); b != nil {
		if rec := b.Recorder(); rec != nil {
			for _, s := range rec.Sessions() {
				if s.Phase == recorder.PhaseRecording || s.Phase == recorder.PhaseGap {
					id := s.CourseID
					if id == "" {
						id = "manual"
					}
					out.Sessions[s.Channel] = id
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func occurrence(o schedule.Occurrence) occurrenceJSON {
	return occurrenceJSON{CourseID: o.Course.ID, Channel: o.Course.Channel, Subject: o.Course.Subject, Teacher: o.Course.Teacher, Start: o.Start, End: o.End}
}

// coursesAllowed says whether dashboard courses may go on a channel of
// origin o. The composition adds overlays in name order, so a course can
// only name a channel of the file or of an overlay sorted before
// "dashboard"; a cloud's channels take their courses from that cloud.
func coursesAllowed(o string) bool { return o == "" || o <= Origin }

// courseForm is the body of POST and PUT /api/dash/courses.
type courseForm struct {
	Channel  string `json:"channel"`
	Weekday  int    `json:"weekday"`
	Start    string `json:"start"`    // HH:MM:SS or HH:MM
	Duration string `json:"duration"` // a Go duration: 45m, 1h30m, 90s
	Subject  string `json:"subject"`
	Teacher  string `json:"teacher"`
}

// maxName bounds subject and teacher names.
const maxName = 64

// judgeCourse checks the course c, replacing the config course at skip
// (-1 when adding), against the running timetable exactly as `lubo check`
// would: 1010 (no such channel), 1011 (bad time, weekday or duration),
// 1012 (overlap), 1013 (past midnight).
func judgeCourse(cfg *configs.Config, f courseForm, skip int) (storage.DashCourse, []Problem) {
	c := storage.DashCourse{Channel: strings.TrimSpace(f.Channel), Weekday: time.Weekday(f.Weekday), Start: strings.TrimSpace(f.Start),
		Subject: strings.TrimSpace(f.Subject), Teacher: strings.TrimSpace(f.Teacher)}
	var ps []Problem
	ch := cfg.ChannelByID(c.Channel)
	switch {
	case ch == nil:
		ps = append(ps, Problem{Field: "channel", Code: schedule.CodeNoID, Msg: fmt.Sprintf("no channel %q", c.Channel)})
	case !coursesAllowed(ch.Origin):
		ps = append(ps, Problem{Field: "channel", Code: schedule.CodeNoID, Msg: fmt.Sprintf("channel %q comes from %s, which supplies its courses", c.Channel, ch.Origin)})
	}
	if f.Weekday < 0 || f.Weekday > 6 {
		ps = append(ps, Problem{Field: "weekday", Code: schedule.CodeBadTime, Msg: fmt.Sprintf("weekday %d is outside 0-6 (0 = Sunday)", f.Weekday)})
	}
	start, err := schedule.ParseTimeOfDay(c.Start)
	if err != nil {
		ps = append(ps, Problem{Field: "start", Code: schedule.CodeBadTime, Msg: scheduleMsg(err)})
	} else if len(c.Start) == 5 {
		c.Start += ":00"
	}
	d, err := time.ParseDuration(strings.TrimSpace(f.Duration))
	if err != nil {
		ps = append(ps, Problem{Field: "duration", Code: schedule.CodeBadTime, Msg: fmt.Sprintf("%q is not a duration like 45m or 1h30m", f.Duration)})
	}
	c.Duration = d
	if len([]rune(c.Subject)) > maxName || len([]rune(c.Teacher)) > maxName {
		ps = append(ps, Problem{Field: "subject", Msg: fmt.Sprintf("subject and teacher are at most %d characters", maxName)})
	}
	if len(ps) > 0 {
		return c, ps
	}
	const candidate = "the new course"
	list, _ := asSchedule(cfg.Schedule, skip)
	list = append(list, schedule.Course{ID: "pending", Channel: c.Channel, Weekday: c.Weekday, Start: start, Duration: d, Where: candidate})
	for _, p := range schedule.Validate(list) {
		if p.Course == candidate {
			field := "start"
			if p.Code == schedule.CodeCrossesMidnight || p.Code == schedule.CodeBadTime && strings.Contains(p.Msg, "duration") {
				field = "duration"
			}
			ps = append(ps, Problem{Field: field, Code: p.Code, Msg: p.Msg})
		}
	}
	return c, ps
}

func (h *Handler) serveCourseAdd(w http.ResponseWriter, r *http.Request) {
	var f courseForm
	if err := readJSON(w, r, &f); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.edit.Lock()
	defer h.edit.Unlock()
	c, ps := judgeCourse(h.opts.Config(), f, -1)
	if len(ps) > 0 {
		writeProblems(w, http.StatusUnprocessableEntity, "the course is not valid", ps)
		return
	}
	if err := h.opts.DB.AddDashCourse(&c); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	h.log.Info("dashboard: course added", "course", c.ID, "channel", c.Channel, "weekday", int(c.Weekday), "start", c.Start, "duration", c.Duration, "by", h.who(r))
	h.opts.Changed()
	writeJSON(w, http.StatusCreated, c)
}

// configIndex is the index of the dashboard course id in cfg's schedule,
// -1 when the composition left it out.
func configIndex(cfg *configs.Config, id string) int {
	for i, co := range cfg.Schedule {
		if co.Origin == Origin && co.ExternalID == id {
			return i
		}
	}
	return -1
}

// storedCourse is the dashboard course of the path's id, or a refusal
// naming where other courses are edited.
func (h *Handler) storedCourse(w http.ResponseWriter, r *http.Request) (*storage.DashCourse, bool) {
	id := r.PathValue("id")
	courses, err := h.opts.DB.DashCourses()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return nil, false
	}
	for i := range courses {
		if courses[i].ID == id {
			return &courses[i], true
		}
	}
	for _, co := range h.opts.Config().Schedule {
		if courseID(co) == id {
			writeError(w, http.StatusConflict, fmt.Sprintf("course %s comes from %s and is changed there, not in the dashboard", id, originName(co.Origin)))
			return nil, false
		}
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("no course %q", id))
	return nil, false
}

func (h *Handler) serveCourseEdit(w http.ResponseWriter, r *http.Request) {
	var f courseForm
	if err := readJSON(w, r, &f); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.edit.Lock()
	defer h.edit.Unlock()
	old, ok := h.storedCourse(w, r)
	if !ok {
		return
	}
	cfg := h.opts.Config()
	c, ps := judgeCourse(cfg, f, configIndex(cfg, old.ID))
	if len(ps) > 0 {
		writeProblems(w, http.StatusUnprocessableEntity, "the course is not valid", ps)
		return
	}
	c.ID = old.ID
	if err := h.opts.DB.PutDashCourse(&c); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, storage.ErrNotFound) {
			status = http.StatusNotFound
		}
		writeError(w, status, err.Error())
		return
	}
	h.log.Info("dashboard: course moved", "course", c.ID, "channel", c.Channel, "weekday", int(c.Weekday), "start", c.Start, "duration", c.Duration, "by", h.who(r))
	h.opts.Changed()
	writeJSON(w, http.StatusOK, c)
}

func (h *Handler) serveCourseDelete(w http.ResponseWriter, r *http.Request) {
	h.edit.Lock()
	defer h.edit.Unlock()
	old, ok := h.storedCourse(w, r)
	if !ok {
		return
	}
	if err := h.opts.DB.DeleteDashCourse(old.ID); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	h.log.Info("dashboard: course deleted", "course", old.ID, "by", h.who(r))
	h.opts.Changed()
	writeJSON(w, http.StatusOK, map[string]any{"deleted": old.ID})
}

// scheduleMsg is a schedule error's message without its "(error N)" tail
// (the code travels beside it).
func scheduleMsg(err error) string {
	var se *schedule.Error
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}
