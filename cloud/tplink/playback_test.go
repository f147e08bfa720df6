package tplink_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

var cst = time.FixedZone("UTC+8", 8*3600)

func TestSearchYearAndDays(t *testing.T) {
	e := streamEnv(t, nil)
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, cst) }
	e.cloud.SetRecordings(camQR, 1, []tplinktest.Recording{
		{Start: day(7, 30, 9), End: day(7, 30, 10), Type: []int{1, 0}, Source: 0},
		{Start: day(7, 29, 9), End: day(7, 29, 10), Type: []int{2, 0}, Source: 0, Human: true},
		{Start: day(7, 29, 11), End: day(7, 29, 12), Type: []int{1, 0}, Source: 0},
		{Start: time.Date(2025, 1, 1, 1, 0, 0, 0, cst), End: time.Date(2025, 1, 1, 2, 0, 0, 0, cst), Type: []int{1, 0}},
	})
	refs := []tplink.ChannelRef{{QRCode: camQR, Channel: 1}, {QRCode: "NOTINAPP000000000", Channel: 2}}
	found, failed, err := e.client.SearchYear(context.Background(), 2026, refs)
	if err != nil {
		t.Fatal(err)
	}
	want := []tplink.RecordingDay{{Month: 7, Day: 29, Seq: 1}, {Month: 7, Day: 30, Seq: 2}}
	if len(found) != 1 || found[0].QRCode != camQR || found[0].Channel != 1 || fmt.Sprint(found[0].Days) != fmt.Sprint(want) {
		t.Fatalf("found %+v, want days %v", found, want)
	}
	if len(failed) != 1 || failed[0].Channel != 2 || failed[0].Err.Code != tplink.CodeDeviceNotInApp {
		t.Fatalf("failed %+v", failed)
	}

	got, err := e.client.SearchVideo(context.Background(), tplink.ChannelRef{QRCode: camQR, Channel: 1}, day(7, 29, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Videos) != 2 || !got.Videos[0].Start.Equal(day(7, 29, 9)) || got.Videos[0].Type[0] != 2 || got.UserID != 10 {
		t.Fatalf("videos %+v", got)
	}
	human, err := e.client.SearchHumanDetectionVideo(context.Background(), tplink.ChannelRef{QRCode: camQR, Channel: 1}, day(7, 29, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(human.Videos) != 1 || !human.Videos[0].End.Equal(day(7, 29, 10)) {
		t.Fatalf("human videos %+v", human)
	}
}

func TestSearchYearSplitsLongLists(t *testing.T) {
	e := streamEnv(t, nil)
	refs := make([]tplink.ChannelRef, 250)
	for i := range refs {
		refs[i] = tplink.ChannelRef{QRCode: camQR, Channel: 1}
	}
	found, _, err := e.client.SearchYear(context.Background(), 2026, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 250 || e.cloud.Calls(tplinktest.PathSearchYear) != 3 {
		t.Fatalf("%d found in %d calls, want 250 in 3", len(found), e.cloud.Calls(tplinktest.PathSearchYear))
	}
}

func TestSearchVideoReadsEveryPage(t *testing.T) {
	e := streamEnv(t, nil)
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, cst)
	rs := make([]tplinktest.Recording, 250)
	for i := range rs {
		rs[i] = tplinktest.Recording{Start: base.Add(time.Duration(i) * time.Minute), End: base.Add(time.Duration(i)*time.Minute + 50*time.Second), Type: []int{1, 0}, Source: 1}
	}
	e.cloud.SetRecordings(camQR, 1, rs)
	got, err := e.client.SearchVideo(context.Background(), tplink.ChannelRef{QRCode: camQR, Channel: 1}, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Videos) != 250 || e.cloud.Calls(tplinktest.PathSearchVideo) != 3 {
		t.Fatalf("%d videos in %d calls, want 250 in 3", len(got.Videos), e.cloud.Calls(tplinktest.PathSearchVideo))
	}
	for i, v := range got.Videos {
		if !v.Start.Equal(rs[i].Start) || v.Source != 1 {
			t.Fatalf("video %d = %+v", i, v)
		}
	}
}

func TestPlaybackRefusals(t *testing.T) {
	e := streamEnv(t, nil)
	ctx := context.Background()
	if _, err := e.client.SearchVideo(ctx, tplink.ChannelRef{QRCode: "NOTINAPP000000000", Channel: 1}, time.Now()); code(t, err) != tplink.CodeDeviceNotInApp {
		t.Fatal(err)
	}
	if _, err := e.client.SearchVideo(ctx, tplink.ChannelRef{Channel: 1}, time.Now()); err == nil {
		t.Fatal("no device accepted")
	}
	if _, _, err := e.client.SearchYear(ctx, 99999, []tplink.ChannelRef{{QRCode: camQR, Channel: 1}}); err == nil {
		t.Fatal("year 99999 accepted")
	}
	e.cloud.InjectFault(tplinktest.PathSearchYear, tplinktest.Fault{Body: []byte(`{"error_code":0,"result":{"deviceVideoInfoList":[{"qrCode":"X","channelId":"1","dates":["1399001"]}]}}`)})
	if _, _, err := e.client.SearchYear(ctx, 2026, []tplink.ChannelRef{{QRCode: camQR, Channel: 1}}); err == nil {
		t.Fatal("month 13 accepted")
	}
	// channelId as a string, as the field table prints it, is read.
	e.cloud.InjectFault(tplinktest.PathSearchYear, tplinktest.Fault{Body: []byte(`{"error_code":0,"result":{"deviceVideoInfoList":[{"qrCode":"X","channelId":"2","dates":["0101001"]}]}}`)})
	found, _, err := e.client.SearchYear(ctx, 2026, []tplink.ChannelRef{{QRCode: camQR, Channel: 1}})
	if err != nil || len(found) != 1 || found[0].Channel != 2 {
		t.Fatalf("string channelId: %v %+v", err, found)
	}
}
