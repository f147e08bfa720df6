package tplink_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

func manyCameras(n int) []tplinktest.Device {
	ds := make([]tplinktest.Device, n)
	for i := range ds {
		ds[i] = camera(fmt.Sprintf("CAM%014d", i))
	}
	return ds
}

func TestListDevicesReadsEveryPage(t *testing.T) {
	for _, project := range []bool{false, true} {
		t.Run(fmt.Sprintf("project=%v", project), func(t *testing.T) {
			e := newEnv(t, tplinktest.Options{ProjectApplication: project}, nil)
			e.cloud.SetDevices(manyCameras(250))
			got, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 250 {
				t.Fatalf("%d devices, want 250", len(got))
			}
			for i, d := range got {
				if want := fmt.Sprintf("CAM%014d", i); d.QRCode != want || d.Status != tplink.StatusOnline || d.ChannelID != 1 {
					t.Fatalf("device %d = %+v, want %s online channel 1", i, d, want)
				}
			}
			path := tplinktest.PathDevicesDeviceApp
			if project {
				path = tplinktest.PathDevicesProjectApp
			}
			if n := e.cloud.Calls(path); n != 3 {
				t.Fatalf("%d pages fetched, want 3", n)
			}
		})
	}
}

func TestListDevicesWrongApplicationKind(t *testing.T) {
	e := newEnv(t, tplinktest.Options{ProjectApplication: true}, func(c *tplink.Config) { c.Application = tplink.DeviceApplication })
	_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
	if got := code(t, err); got != -88311 {
		t.Fatalf("code %d, want -88311", got)
	}
}

func TestListDevicesChildrenFilter(t *testing.T) {
	nvr := tplinktest.Device{QRCode: "NVR00000000000001", Type: "NETWORKVIDEORECORDER", Status: 1}
	child := tplinktest.Device{QRCode: "CHI00000000000001", Type: "SURVEILLANCECAMERA", ParentQRCode: nvr.QRCode, ChannelID: 3}
	for _, project := range []bool{false, true} {
		e := newEnv(t, tplinktest.Options{ProjectApplication: project}, nil)
		e.cloud.SetDevices([]tplinktest.Device{nvr, child})
		without, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		with, err := e.client.ListDevices(context.Background(), tplink.ListOptions{IncludeChildren: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(without) != 1 || len(with) != 2 || with[1].ParentQRCode != nvr.QRCode || with[1].ChannelID != 3 {
			t.Fatalf("project=%v: without children %+v, with %+v", project, without, with)
		}
		cams, err := e.client.ListDevices(context.Background(), tplink.ListOptions{IncludeChildren: true, DeviceTypes: []string{"SURVEILLANCECAMERA"}})
		if err != nil || len(cams) != 1 {
			t.Fatalf("type filter: %v %+v", err, cams)
		}
	}
}

func TestListDevicesStopsAtPageCap(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) { c.PageSize = 10; c.MaxPages = 2 })
	e.cloud.SetDevices(manyCameras(25))
	_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "after 2 pages") {
		t.Fatalf("err %v, want the page cap", err)
	}
	if n := e.cloud.Calls(tplinktest.PathDevicesDeviceApp); n != 2 {
		t.Fatalf("%d pages fetched, want 2", n)
	}
}

func TestListDevicesSurvivesLyingTotal(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) { c.PageSize = 1; c.MaxPages = 5 })
	// A total that never ends with pages that are never empty: the cap stops it.
	for i := 0; i < 5; i++ {
		e.cloud.InjectFault(tplinktest.PathDevicesDeviceApp, tplinktest.Fault{Body: []byte(`{"error_code":0,"result":{"total":1000000,"list":[{"qrCode":"X"}]}}`)})
	}
	if _, err := e.client.ListDevices(context.Background(), tplink.ListOptions{}); err == nil {
		t.Fatal("endless listing accepted")
	}
	// A page with more entries than asked is refused.
	e.cloud.InjectFault(tplinktest.PathDevicesDeviceApp, tplinktest.Fault{Body: []byte(`{"error_code":0,"result":{"total":2,"list":[{},{}]}}`)})
	if _, err := e.client.ListDevices(context.Background(), tplink.ListOptions{}); err == nil || !strings.Contains(err.Error(), "more than the 1 asked") {
		t.Fatalf("oversized page: %v", err)
	}
}

func TestListChannels(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	chs := make([]tplinktest.Channel, 16)
	for i := range chs {
		chs[i] = tplinktest.Channel{Name: fmt.Sprintf("ch%d", i+1), Type: "SURVEILLANCECAMERA", Status: i % 2, Channel: i + 1}
	}
	e.cloud.SetChannels("NVR00000000000001", chs)
	got, err := e.client.ListChannels(context.Background(), "NVR00000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if got.ChannelNum != 16 || got.ConnectedChannelNum != 8 || len(got.Channels) != 16 || got.Channels[15].Channel != 16 || got.Channels[1].Status != 1 {
		t.Fatalf("channels %+v", got)
	}
	_, err = e.client.ListChannels(context.Background(), "NVR00000000000002")
	if c := code(t, err); c != tplink.CodeDeviceNotInApp {
		t.Fatalf("unknown NVR: code %d", c)
	}
}
