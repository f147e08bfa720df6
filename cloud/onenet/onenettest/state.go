package onenettest

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// Device is an emulated device.
type Device struct {
	ID       string
	Title    string
	Desc     string
	AuthInfo string
	SN, MAC  string // set when made by register_de
	Key      string // the device's own api-key
	Online   bool
}

// Channel is a channel of a device.
type Channel struct {
	ID    int
	Title string
	Desc  string
}

// Picture is an uploaded picture with its bytes.
type Picture struct {
	DeviceID  string
	ChannelID int
	Name      string
	Desc      string
	Format    string
	Data      []byte
	At        time.Time
}

// File is an object in the product's object storage.
type File struct {
	Name string
	Desc string
	Data []byte
	At   time.Time
}

// Preload is one accepted HLS preload request (4.2).
type Preload struct {
	DeviceID  string
	ChannelID int
	IdleTime  int // seconds
	At        time.Time
}

// RecordingEvent is one accepted record_video call (12).
type RecordingEvent struct {
	DeviceID  string
	ChannelID int
	Start     bool
	At        time.Time
}

type chanKey struct {
	device  string
	channel int
}

type playGrant struct {
	chanKey
	hls bool
}

type state struct {
	nextID        int
	devices       map[string]*Device
	channels      map[string]map[int]Channel
	registerCodes map[string]bool
	pictures      []Picture
	files         map[string]File
	preloads      []Preload
	recording     map[chanKey]bool
	events        []RecordingEvent
	tokens        map[string]playGrant
}

func newState(codes []string) state {
	s := state{
		nextID:        2162826,
		devices:       map[string]*Device{},
		channels:      map[string]map[int]Channel{},
		registerCodes: map[string]bool{},
		files:         map[string]File{},
		recording:     map[chanKey]bool{},
		tokens:        map[string]playGrant{},
	}
	for _, c := range codes {
		s.registerCodes[c] = true
	}
	return s
}

// newDevice adds a device with a fresh id and key; callers hold e.mu.
func (e *Emulator) newDevice(d Device) *Device {
	d.ID = strconv.Itoa(e.st.nextID)
	e.st.nextID++
	d.Key = "dk" + randomHex(12)
	if d.AuthInfo == "" {
		d.AuthInfo = "auto-" + d.ID
	}
	e.st.devices[d.ID] = &d
	e.st.channels[d.ID] = map[int]Channel{}
	return &d
}

// AddDevice creates a device directly (as the product owner would on the
// console) and returns its id and device key.
func (e *Emulator) AddDevice(title string) (id, key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.newDevice(Device{Title: title})
	return d.ID, d.Key
}

// AddChannel gives a device a channel directly.
func (e *Emulator) AddChannel(deviceID string, ch Channel) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if chans, ok := e.st.channels[deviceID]; ok {
		chans[ch.ID] = ch
	}
}

// SetOnline sets whether a device is online (8).
func (e *Emulator) SetOnline(deviceID string, online bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d, ok := e.st.devices[deviceID]; ok {
		d.Online = online
	}
}

// Devices returns the devices, ordered by id.
func (e *Emulator) Devices() []Device {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Device, 0, len(e.st.devices))
	for _, d := range e.st.devices {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Channels returns a device's channels, ordered by id.
func (e *Emulator) Channels(deviceID string) []Channel {
	e.mu.Lock()
	defer e.mu.Unlock()
	return sortedChannels(e.st.channels[deviceID])
}

func sortedChannels(m map[int]Channel) []Channel {
	out := make([]Channel, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Pictures returns the stored pictures in upload order.
func (e *Emulator) Pictures() []Picture {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := slices.Clone(e.st.pictures)
	for i := range out {
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}

// Files returns the stored files, ordered by name.
func (e *Emulator) Files() []File {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.sortedFiles()
	for i := range out {
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}

// sortedFiles lists the files by name, sharing their bytes; callers hold e.mu.
func (e *Emulator) sortedFiles() []File {
	out := make([]File, 0, len(e.st.files))
	for _, f := range e.st.files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Preloads returns the accepted preload requests in order.
func (e *Emulator) Preloads() []Preload {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.st.preloads)
}

// Recording says whether the platform is recording a channel.
func (e *Emulator) Recording(deviceID string, channelID int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st.recording[chanKey{deviceID, channelID}]
}

// RecordingEvents returns the accepted start/stop calls in order.
func (e *Emulator) RecordingEvents() []RecordingEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.st.events)
}
