package configs

import (
	"strings"
	"testing"
	"time"
)

func TestCompose(t *testing.T) {
	base, err := Parse([]byte("channels:\n  - {id: c1, source: \"rtsp://cam/1\"}\nschedule:\n  - {channel: c1, weekday: 1, start: \"08:00:00\", duration: 45m}\n"), "t")
	if err != nil {
		t.Fatal(err)
	}
	o := Overlay{
		Origin: "yunlubo",
		Channels: []Channel{
			{ID: "y7", Name: "三年级二班", OnDemand: true, Device: &Device{Vendor: VendorHikvision, Host: "10.0.0.7", User: "admin", Password: "pw"}},
			{ID: "c1", Source: "rtsp://other/1"},     // taken by the file
			{ID: "Bad Id", Source: "rtsp://cam/9"},   // invalid
			{ID: "y8", Source: "rtsp://cam:99999/x"}, // invalid source
		},
		Schedule: []Course{
			{Channel: "y7", Weekday: 3, Start: "10:30:00", Duration: 45 * time.Minute, Subject: "语文"},
			{Channel: "y8", Weekday: 3, Start: "10:30:00", Duration: 45 * time.Minute}, // its channel was left out
		},
		Record: &RecordSettings{Slice: 20 * time.Minute, OverlapKeyframes: 2, SnapshotInterval: 3 * time.Minute},
	}
	got, problems := Compose(base, o)
	if len(got.Channels) != 2 || got.Channels[1].ID != "y7" || got.Channels[1].Origin != "yunlubo" || !got.Channels[1].OnDemand || got.Channels[1].Device.Port != 554 {
		t.Fatalf("channels %+v", got.Channels)
	}
	if len(got.Schedule) != 2 || got.Schedule[1].Subject != "语文" {
		t.Fatalf("schedule %+v", got.Schedule)
	}
	if got.Record.Slice != 20*time.Minute || got.Record.OverlapKeyframes != 2 || got.Record.SnapshotInterval != 3*time.Minute {
		t.Fatalf("record %+v", got.Record)
	}
	msgs := ""
	for _, p := range problems {
		msgs += p.String() + "\n"
	}
	for _, want := range []string{
		`yunlubo.channels[1].id: "c1" is already a channel of the config file`,
		`yunlubo.channels[2].id`,
		`yunlubo.channels[3].source`,
		`yunlubo.schedule[1].channel: "y8" is not a configured channel`,
	} {
		if !strings.Contains(msgs, want) {
			t.Errorf("problems lack %q:\n%s", want, msgs)
		}
	}
	if len(base.Channels) != 1 || len(base.Schedule) != 1 || base.Record.Slice != 30*time.Minute {
		t.Fatal("Compose modified its base")
	}
	if o.Channels[0].Device.Port != 0 {
		t.Fatal("Compose modified its overlay (defaults filled into the overlay's device)")
	}
	// A server's nonsense settings are refused, the file's kept.
	got, problems = Compose(base, Overlay{Origin: "yunlubo", Record: &RecordSettings{Slice: 99 * time.Hour, OverlapKeyframes: 9}})
	if got.Record.Slice != 30*time.Minute || len(problems) != 2 {
		t.Fatalf("record %+v, problems %v", got.Record, problems)
	}
}
