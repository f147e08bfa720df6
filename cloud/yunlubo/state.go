package yunlubo

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// State is everything a gather needs from the server, fetched in one go.
type State struct {
	Gathers     []Gather
	Cameras     []Camera
	StorageAddr string           // list_camera's storage_addr
	Courses     map[Int][]Course // by camera_id, every camera of Cameras
	Subjects    []Subject
	Teachers    []Teacher
	Fetched     time.Time // Options.Now when the fetch ended
}

// FetchAll reads every page of list_gather, list_camera, list_course (for
// each camera), list_subject and list_teacher. Any failure fails the whole
// fetch: a partial schedule must not replace a complete one.
func (c *Client) FetchAll(ctx context.Context) (*State, error) {
	s := &State{Courses: map[Int][]Course{}}
	var err error
	if s.Gathers, err = c.AllGathers(ctx); err != nil {
		return nil, fmt.Errorf("yunlubo: fetching gathers: %w", err)
	}
	if s.Cameras, s.StorageAddr, err = c.AllCameras(ctx); err != nil {
		return nil, fmt.Errorf("yunlubo: fetching cameras: %w", err)
	}
	for _, cam := range s.Cameras {
		if _, done := s.Courses[cam.CameraID]; done {
			continue // a camera listed twice (rows shifted between pages)
		}
		courses, err := c.AllCourses(ctx, cam.CameraID)
		if err != nil {
			return nil, fmt.Errorf("yunlubo: fetching courses of camera %d: %w", cam.CameraID, err)
		}
		s.Courses[cam.CameraID] = courses
	}
	if s.Subjects, err = c.AllSubjects(ctx); err != nil {
		return nil, fmt.Errorf("yunlubo: fetching subjects: %w", err)
	}
	if s.Teachers, err = c.AllTeachers(ctx); err != nil {
		return nil, fmt.Errorf("yunlubo: fetching teachers: %w", err)
	}
	s.Fetched = c.opts.Now()
	return s, nil
}

// GatherByMAC finds the gather whose mac_addr matches mac (see MatchMAC).
func (s *State) GatherByMAC(mac string) (Gather, bool) {
	for _, g := range s.Gathers {
		if MatchMAC(g.MacAddr, mac) {
			return g, true
		}
	}
	return Gather{}, false
}

// CamerasOf lists the cameras of one gather.
func (s *State) CamerasOf(gatherID Int) []Camera {
	var out []Camera
	for _, c := range s.Cameras {
		if c.GatherID == gatherID {
			out = append(out, c)
		}
	}
	return out
}

// MatchMAC compares two MAC addresses ignoring case and the separators
// ':', '-', '.' and spaces ("AA:BB:CC:DD:EE:FF" = "aabb.ccdd.eeff"). An
// address that is empty after that matches nothing.
func MatchMAC(a, b string) bool {
	na, nb := normalizeMAC(a), normalizeMAC(b)
	return na != "" && na == nb
}

func normalizeMAC(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case ':', '-', '.', ' ':
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
