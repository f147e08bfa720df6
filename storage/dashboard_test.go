package storage

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Channels and courses added in the dashboard survive closing and
// reopening the file; ids, Created and Updated behave as documented.
func TestDashboardDataPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lubo.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := DashChannel{ID: "cam1", Name: "一年级一班", Source: "rtsp://admin:s3cret@10.0.0.5/ch1", OnDemand: true}
	if err := db.PutDashChannel(&ch); err != nil {
		t.Fatal(err)
	}
	dev := DashChannel{ID: "cam2", Device: &DashDevice{Vendor: "hikvision", Host: "10.0.0.6", User: "admin", Password: "dev-pass"}}
	if err := db.PutDashChannel(&dev); err != nil {
		t.Fatal(err)
	}
	created := ch.Created
	ch.Name = "一年级二班"
	if err := db.PutDashChannel(&ch); err != nil {
		t.Fatal(err)
	}
	if !ch.Created.Equal(created) {
		t.Errorf("Created moved on update: %v -> %v", created, ch.Created)
	}
	c1 := DashCourse{Channel: "cam1", Weekday: time.Monday, Start: "08:00:00", Duration: 45 * time.Minute, Subject: "语文"}
	c2 := DashCourse{Channel: "cam1", Weekday: time.Monday, Start: "09:00:00", Duration: 45 * time.Minute}
	for _, c := range []*DashCourse{&c1, &c2} {
		if err := db.AddDashCourse(c); err != nil {
			t.Fatal(err)
		}
	}
	if c1.ID == "" || c1.ID == c2.ID {
		t.Fatalf("course ids %q %q", c1.ID, c2.ID)
	}
	c2.Start = "10:00:00"
	if err := db.PutDashCourse(&c2); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDashCourse(&DashCourse{ID: "d99999999"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("put of an unknown course: %v, want ErrNotFound", err)
	}
	if err := db.DeleteDashCourse(c1.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteDashCourse(c1.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path)
	chans, err := db.DashChannels()
	if err != nil {
		t.Fatal(err)
	}
	if len(chans) != 2 || chans[0].Name != "一年级二班" || chans[1].Device == nil || chans[1].Device.Password.Reveal() != "dev-pass" ||
		chans[0].Source != "rtsp://admin:s3cret@10.0.0.5/ch1" {
		t.Fatalf("channels after reopen: %+v", chans)
	}
	courses, err := db.DashCourses()
	if err != nil {
		t.Fatal(err)
	}
	if len(courses) != 1 || courses[0].ID != c2.ID || courses[0].Start != "10:00:00" || courses[0].Duration != 45*time.Minute {
		t.Fatalf("courses after reopen: %+v", courses)
	}
	// A new course after the reopen does not reuse the deleted one's id.
	c3 := DashCourse{Channel: "cam1", Weekday: time.Friday, Start: "08:00:00", Duration: time.Hour}
	if err := db.AddDashCourse(&c3); err != nil {
		t.Fatal(err)
	}
	if c3.ID == c1.ID || c3.ID == c2.ID {
		t.Errorf("id %q reused", c3.ID)
	}
	if err := db.DeleteDashChannel("cam2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DashChannel("cam2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted channel: %v", err)
	}
	if err := db.PutDashChannel(&DashChannel{ID: strings.Repeat("x", 200)}); err == nil {
		t.Error("an id of 200 bytes was stored")
	}
}

// No password of a dashboard channel shows in %v, %+v, %#v or a log line.
func TestDashChannelHidesPasswords(t *testing.T) {
	c := DashChannel{ID: "c", Source: "rtsp://admin:url-pass@10.0.0.5/x",
		Device: &DashDevice{Vendor: "dahua", Host: "h", User: "u", Password: "dev-pass"}}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "channel", c, "device", c.Device, "pw", c.Device.Password)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "channel", c, "pw", c.Device.Password)
	out := fmt.Sprintf("%v %+v %#v %s %v %+v %#v %q", c, c, c, c, *c.Device, c.Device, *c.Device, c.Device.Password) + buf.String()
	for _, secret := range []string{"url-pass", "dev-pass"} {
		if strings.Contains(out, secret) {
			t.Errorf("%q printed: %s", secret, out)
		}
	}
}
