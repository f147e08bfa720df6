package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

func TestBoxNumbersAreStableAndNeverReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	db := openAt(t, path)
	must := func(kind, key string, prefer, want uint64) {
		t.Helper()
		n, err := db.BoxNumber(kind, key, prefer)
		if err != nil || n != want {
			t.Fatalf("BoxNumber(%s, %s, %d) = %d, %v; want %d", kind, key, prefer, n, err, want)
		}
	}
	must(BoxKindCamera, "y12", 12, 12)          // a server camera keeps its id
	must(BoxKindCamera, "c101", 0, 10001)       // others count from FirstBoxNumber
	must(BoxKindCamera, "c102", 0, 10002)       //
	must(BoxKindCamera, "other12", 12, 10003)   // 12 is taken
	must(BoxKindCamera, "c101", 0, 10001)       // stable
	must(BoxKindSubject, "语文", 0, 10001)        // kinds count apart
	must(BoxKindCamera, "y10002", 10002, 10004) // a preferred number already counted
	if key, err := db.BoxKey(BoxKindCamera, 10002); err != nil || key != "c102" {
		t.Fatalf("BoxKey = %q, %v", key, err)
	}
	if key, err := db.BoxKey(BoxKindCamera, 999); err != nil || key != "" {
		t.Fatalf("BoxKey of an unknown number = %q, %v", key, err)
	}
	for _, bad := range []string{"", strings.Repeat("x", maxBoxKeyLen+1)} {
		if _, err := db.BoxNumber(BoxKindCamera, bad, 0); err == nil {
			t.Errorf("BoxNumber accepted a key of %d bytes", len(bad))
		}
	}
}

func TestBoxChannelsAndCoursesPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if chs, err := db.BoxChannels(); err != nil || len(chs) != 0 {
		t.Fatalf("empty store: %v, %v", chs, err)
	}
	if _, err := db.BoxNumber(BoxKindCamera, "c101", 0); err != nil { // 10001
		t.Fatal(err)
	}
	a := BoxChannel{Name: "一班", GradeID: 2, StreamProp: 2, StreamURL: "rtsp://admin:s3cret@10.0.0.2/x"}
	if err := db.AddBoxChannel(&a); err != nil {
		t.Fatal(err)
	}
	if a.ID != "a10002" || a.Number != 10002 || a.Created.IsZero() {
		t.Fatalf("added channel = %+v", a)
	}
	if n, _ := db.BoxNumber(BoxKindCamera, a.ID, 0); n != a.Number {
		t.Fatalf("the channel id is numbered %d, want %d", n, a.Number)
	}
	b := BoxChannel{Name: "二班", StreamProp: 1, StreamMP4: "/srv/a.mp4"}
	if err := db.AddBoxChannel(&b); err != nil || b.ID != "a10003" {
		t.Fatalf("second channel %+v, %v", b, err)
	}
	c1 := BoxCourse{Channel: a.ID, SubjectID: 1, Subject: "语文", Weekday: 3, StartSec: 36000, ElapseSec: 2700}
	c2 := BoxCourse{Channel: b.ID, Weekday: 1, StartSec: 0, ElapseSec: 60}
	for _, c := range []*BoxCourse{&c1, &c2} {
		if err := db.PutBoxCourse(c); err != nil {
			t.Fatal(err)
		}
	}
	if c1.Number != 10001 || c2.Number != 10002 || c1.Key() != "a10001" {
		t.Fatalf("course numbers %d %d key %s", c1.Number, c2.Number, c1.Key())
	}
	if n, _ := db.BoxNumber(BoxKindCourse, c1.Key(), 0); n != c1.Number {
		t.Fatalf("the course key is numbered %d, want %d", n, c1.Number)
	}
	c1.ElapseSec = 3000
	if err := db.PutBoxCourse(&c1); err != nil {
		t.Fatal(err)
	}
	if err := db.PutBoxCourse(&BoxCourse{Number: 77}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("put of an unknown course: %v", err)
	}
	a.Name = "一班 (改)"
	if err := db.PutBoxChannel(&a); err != nil {
		t.Fatal(err)
	}
	if err := db.PutBoxChannel(&BoxChannel{ID: "a1"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("put of an unknown channel: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path) // reopened: everything is still there
	chs, err := db.BoxChannels()
	if err != nil || len(chs) != 2 || chs[0].Name != "一班 (改)" || chs[0].StreamURL != a.StreamURL || chs[1].ID != b.ID {
		t.Fatalf("channels after reopen: %v, %v", chs, err)
	}
	cs, err := db.BoxCourses()
	if err != nil || len(cs) != 2 || cs[0].ElapseSec != 3000 || cs[0].Subject != "语文" {
		t.Fatalf("courses after reopen: %+v, %v", cs, err)
	}

	// Deleting a channel takes its courses with it; numbers are not reused.
	if err := db.DeleteBoxChannels([]string{a.ID, "a404"}); err != nil {
		t.Fatal(err)
	}
	chs, _ = db.BoxChannels()
	cs, _ = db.BoxCourses()
	if len(chs) != 1 || chs[0].ID != b.ID || len(cs) != 1 || cs[0].Number != c2.Number {
		t.Fatalf("after delete: %v %+v", chs, cs)
	}
	c := BoxChannel{Name: "三班", StreamProp: 1, StreamMP4: "/srv/c.mp4"}
	if err := db.AddBoxChannel(&c); err != nil || c.Number != 10004 {
		t.Fatalf("a channel after a delete got %d, %v", c.Number, err)
	}
	if err := db.DeleteBoxCourses([]uint64{c2.Number, 5}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := db.BoxCourses(); len(cs) != 0 {
		t.Fatalf("courses left: %+v", cs)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestBoxChannelNeverPrintsItsPassword(t *testing.T) {
	c := BoxChannel{ID: "a10001", StreamProp: 2, StreamURL: "rtsp://admin:s3cret@10.0.0.2/x"}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("channel", "ch", c)
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(&c), logged.String()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("password shown: %s", s)
		}
		if !strings.Contains(s, "10.0.0.2") {
			t.Errorf("address lost: %s", s)
		}
	}
}
