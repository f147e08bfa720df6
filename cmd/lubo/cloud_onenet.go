package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/setup"
)

// onenetMaxChannel bounds -channel; the platform's channel ids are small
// positive numbers.
const onenetMaxChannel = 1 << 20

func (env *cloudEnv) onenetClient() (*onenet.Client, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	return setup.OneNET(cfg.Cloud.OneNET, env.opts)
}

func onenetVendor() cloudVendor {
	return cloudVendor{name: "onenet", verbs: []cloudVerb{
		{
			name:     "register",
			synopsis: "-title T [-desc D] | -register-code C (-sn S | -mac M) [-title T]",
			about:    "add this box as a device of the product (master key), or register it with a register code; prints the device id",
			define:   onenetRegister,
		},
		{
			name:     "channels",
			synopsis: "-device D",
			about:    "list a device's channels",
			define:   onenetChannels,
		},
		{
			name:     "play-address",
			synopsis: "-device D -channel N [-protocol rtmp|hls|https-hls]",
			about:    "get a channel's play address",
			define:   onenetPlayAddress,
		},
		{
			name:     "preload",
			synopsis: "-device D -channel N [-idle 120s]",
			about:    "ask the HLS server to start pulling a channel now, so the first viewer does not wait",
			define:   onenetPreload,
		},
		{
			name:     "upload",
			synopsis: "-file F [-name N] [-desc D]",
			about:    "store a file (at most 8 MiB) in the product's object storage",
			define:   onenetUpload,
		},
		{
			name:     "picture",
			synopsis: "-file F -device D -channel N [-name N] [-desc D]",
			about:    "upload a JPEG or PNG picture of a channel",
			define:   onenetPicture,
		},
		{
			name:     "status",
			synopsis: "-device D[,D…]",
			about:    "say which devices are online (1-30 ids)",
			define:   onenetStatus,
		},
	}}
}

type onenetRegisterOut struct {
	DeviceID string `json:"device_id"`
	Key      string `json:"device_key,omitempty"` // register code only; masked unless -show-secrets
}

func onenetRegister(fs *flag.FlagSet) cloudRunner {
	title := fs.String("title", "", "the device's title (required without -register-code)")
	desc := fs.String("desc", "", "the device's description (master key only)")
	code := fs.String("register-code", "", "a register code of the product (注册码); the box then gets a key of its own")
	sn := fs.String("sn", "", "this box's serial number (with -register-code; or -mac)")
	mac := fs.String("mac", "", "this box's MAC address (with -register-code; or -sn)")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		if *code == "" {
			if *sn != "" || *mac != "" {
				return nil, usagef("-sn and -mac go with -register-code")
			}
			if err := requireString("title", *title); err != nil {
				return nil, usagef("-title is required (or -register-code with -sn or -mac)")
			}
		} else {
			if (*sn == "") == (*mac == "") {
				return nil, usagef("with -register-code give exactly one of -sn and -mac")
			}
			if *desc != "" {
				return nil, usagef("-desc is not sent with -register-code")
			}
		}
		c, err := env.onenetClient()
		if err != nil {
			return nil, err
		}
		if *code == "" {
			id, err := c.CreateDevice(ctx, onenet.Device{Title: *title, Desc: *desc})
			if err != nil {
				return nil, onenetError(err)
			}
			return onenetRegisterOut{DeviceID: id}, nil
		}
		reg, err := c.Register(ctx, onenet.Secret(*code), onenet.RegisterSpec{SN: *sn, MAC: *mac, Title: *title})
		if err != nil {
			return nil, onenetError(err)
		}
		return onenetRegisterOut{DeviceID: reg.DeviceID, Key: env.secret(string(reg.Key))}, nil
	}
}

type onenetChannelOut struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Desc  string `json:"desc,omitempty"`
}

type onenetChannelsOut struct {
	DeviceID string             `json:"device_id"`
	Count    int                `json:"count"`
	Channels []onenetChannelOut `json:"channels"`
}

func onenetChannels(fs *flag.FlagSet) cloudRunner {
	device := fs.String("device", "", "the device id (required)")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		if err := requireString("device", *device); err != nil {
			return nil, err
		}
		c, err := env.onenetClient()
		if err != nil {
			return nil, err
		}
		chs, err := c.Channels(ctx, *device)
		if err != nil {
			return nil, onenetError(err)
		}
		out := onenetChannelsOut{DeviceID: *device, Count: len(chs), Channels: make([]onenetChannelOut, 0, len(chs))}
		for _, ch := range chs {
			out.Channels = append(out.Channels, onenetChannelOut{ID: ch.ID, Title: ch.Title, Desc: ch.Desc})
		}
		return out, nil
	}
}

// onenetTarget are the flags naming a channel.
type onenetTarget struct {
	device  *string
	channel *int
}

func defineOnenetTarget(fs *flag.FlagSet) onenetTarget {
	return onenetTarget{
		device:  fs.String("device", "", "the device id (required)"),
		channel: fs.Int("channel", 0, "the channel id (required)"),
	}
}

func (t onenetTarget) check() (string, int, error) {
	if err := requireString("device", *t.device); err != nil {
		return "", 0, err
	}
	if err := checkChannel(*t.channel, onenetMaxChannel); err != nil {
		return "", 0, err
	}
	return strings.TrimSpace(*t.device), *t.channel, nil
}

var onenetProtocols = map[string]onenet.Protocol{"rtmp": onenet.RTMP, "hls": onenet.HLS, "https-hls": onenet.HTTPSHLS}

// onenetAddressOut is a play address; URL is masked unless -show-secrets.
type onenetAddressOut struct {
	DeviceID string `json:"device_id"`
	Channel  int    `json:"channel"`
	Protocol string `json:"protocol"`
	URL      string `json:"url"`
}

func (env *cloudEnv) onenetAddress(protocol string, p onenet.PlayAddress) onenetAddressOut {
	return onenetAddressOut{DeviceID: p.DeviceID, Channel: p.ChannelID, Protocol: protocol, URL: env.reveal(p.URL(), maskAddress)}
}

func onenetPlayAddress(fs *flag.FlagSet) cloudRunner {
	target := defineOnenetTarget(fs)
	protocol := fs.String("protocol", "rtmp", "rtmp, hls or https-hls")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		device, channel, err := target.check()
		if err != nil {
			return nil, err
		}
		proto, ok := onenetProtocols[*protocol]
		if !ok {
			return nil, usagef("-protocol %q: want rtmp, hls or https-hls", *protocol)
		}
		c, err := env.onenetClient()
		if err != nil {
			return nil, err
		}
		p, err := c.PlayAddress(ctx, device, channel, proto)
		if err != nil {
			return nil, onenetError(err)
		}
		return env.onenetAddress(*protocol, p), nil
	}
}

type onenetPreloadOut struct {
	onenetAddressOut
	Preloaded bool   `json:"preloaded"`
	Idle      string `json:"idle"`
}

func onenetPreload(fs *flag.FlagSet) cloudRunner {
	target := defineOnenetTarget(fs)
	idle := fs.Duration("idle", 120*time.Second, "how long the server keeps pulling without a viewer, 1s to 120s")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		device, channel, err := target.check()
		if err != nil {
			return nil, err
		}
		if *idle < time.Second || *idle > 120*time.Second || *idle%time.Second != 0 {
			return nil, usagef("-idle %s: want whole seconds from 1s to 120s", *idle)
		}
		c, err := env.onenetClient()
		if err != nil {
			return nil, err
		}
		p, err := c.PlayAddress(ctx, device, channel, onenet.HLS)
		if err != nil {
			return nil, onenetError(err)
		}
		if err := c.PreloadHLS(ctx, p, *idle); err != nil {
			return nil, onenetError(err)
		}
		return onenetPreloadOut{onenetAddressOut: env.onenetAddress("hls", p), Preloaded: true, Idle: idle.String()}, nil
	}
}

type onenetUploadOut struct {
	DeviceID string `json:"device_id,omitempty"`
	Channel  int    `json:"channel,omitempty"`
	Name     string `json:"name"`
	Format   string `json:"format,omitempty"`
	Size     int64  `json:"size"`
	Uploaded bool   `json:"uploaded"`
}

// regularFile is the size of the file at path, or a usage error saying why
// it cannot be uploaded.
func regularFile(path string) (int64, error) {
	if err := requireString("file", path); err != nil {
		return 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, usagef("-file: %v", err)
	}
	if !st.Mode().IsRegular() {
		return 0, usagef("-file %s is not a regular file", path)
	}
	return st.Size(), nil
}

func onenetUpload(fs *flag.FlagSet) cloudRunner {
	file := fs.String("file", "", "the file to store, at most 8 MiB (required)")
	name := fs.String("name", "", "the object's name: letters, digits, '-', '_', '.' (default: the file's base name)")
	desc := fs.String("desc", "", "the object's description")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		size, err := regularFile(*file)
		if err != nil {
			return nil, err
		}
		if size > onenet.MaxFileSize {
			return nil, fmt.Errorf("%s is %d bytes; OneNET object storage takes at most %d (8 MiB): nothing was sent", *file, size, onenet.MaxFileSize)
		}
		n := *name
		if n == "" {
			n = filepath.Base(*file)
		}
		c, err := env.onenetClient()
		if err != nil {
			return nil, err
		}
		if err := c.UploadFilePath(ctx, *file, n, *desc); err != nil {
			return nil, onenetUploadError(err, "-name")
		}
		return onenetUploadOut{Name: n, Size: size, Uploaded: true}, nil
	}
}

func onenetPicture(fs *flag.FlagSet) cloudRunner {
	file := fs.String("file", "", "a .jpg, .jpeg or .png file (required)")
	target := defineOnenetTarget(fs)
	name := fs.String("name", "", "the picture's name, unique on the platform (default: the file's base name without extension)")
	desc := fs.String("desc", "", "the picture's description")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		size, err := regularFile(*file)
		if err != nil {
			return nil, err
		}
		device, channel, err := target.check()
		if err != nil {
			return nil, err
		}
		ext := strings.ToLower(filepath.Ext(*file))
		var format string
		switch ext {
		case ".jpg", ".jpeg":
			format = "jpg"
		case ".png":
			format = "png"
		default:
			return nil, usagef("-file %s: want a .jpg, .jpeg or .png file", *file)
		}
		n := *name
		if n == "" {
			n = strings.TrimSuffix(filepath.Base(*file), filepath.Ext(*file))
		}
		c, err := env.onenetClient()
		if err != nil {
			return nil, err
		}
		f, err := os.Open(*file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		p := onenet.Picture{DeviceID: device, ChannelID: channel, Name: n, Desc: *desc, Format: format}
		if err := c.UploadPicture(ctx, p, f, size); err != nil {
			return nil, onenetUploadError(err, "-name")
		}
		return onenetUploadOut{DeviceID: device, Channel: channel, Name: n, Format: format, Size: size, Uploaded: true}, nil
	}
}

// onenetUploadError tells the installer what to do about a refused upload.
func onenetUploadError(err error, nameFlag string) error {
	if errors.Is(err, onenet.ErrDuplicateName) {
		return fmt.Errorf("%w; the platform already holds this name: choose another with %s", err, nameFlag)
	}
	return onenetError(err)
}

// onenetError says whether trying again later may help.
func onenetError(err error) error {
	if onenet.Retryable(err) {
		return fmt.Errorf("%w; this may pass later: try again", err)
	}
	return err
}

type onenetStatusOut struct {
	Devices []onenetDeviceStatus `json:"devices"`
}

type onenetDeviceStatus struct {
	ID     string `json:"id"`
	Online bool   `json:"online"`
}

func onenetStatus(fs *flag.FlagSet) cloudRunner {
	devices := fs.String("device", "", "device ids, separated by commas (1-30) (required)")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		if err := requireString("device", *devices); err != nil {
			return nil, err
		}
		var ids []string
		for _, id := range strings.Split(*devices, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
		if len(ids) > 30 {
			return nil, usagef("-device: %d ids; the platform answers for at most 30 at once", len(ids))
		}
		c, err := env.onenetClient()
		if err != nil {
			return nil, err
		}
		sts, err := c.DeviceStatuses(ctx, ids...)
		if err != nil {
			return nil, onenetError(err)
		}
		out := onenetStatusOut{Devices: make([]onenetDeviceStatus, 0, len(sts))}
		for _, s := range sts {
			out.Devices = append(out.Devices, onenetDeviceStatus{ID: s.ID, Online: s.Online})
		}
		return out, nil
	}
}
