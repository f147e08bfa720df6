// Package tplinktest is an emulator of the TP-LINK TUMS open API, written
// from the vendor document (seeds/001_f17da8ae0b6e7308.txt) for tests. It
// checks what the real cloud checks and refuses with the document's codes:
// a wrong signature (-10301), a timestamp outside the window (-10302), a
// malformed header or a nonce reused within 5 minutes (-10303), an unknown
// or expired AK (-10304), a disabled AK (-10305). It pages device lists,
// answers -80703 "URL not ready" a settable number of times before a relay
// address the test chooses, and can be told to stall, fail or answer garbage.
package tplinktest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Options of an emulator. Zero fields take the default in their comment.
type Options struct {
	// Now is the cloud's clock. Default time.Now.
	Now func() time.Time
	// SkewWindow is how far a request's Timestamp may be from Now. Default 5 minutes (§1.2.2.2).
	SkewWindow time.Duration
	// NonceWindow is how long a nonce stays used. Default 5 minutes (§1.2.2.2).
	NonceWindow time.Duration
	// ProjectApplication makes the keys belong to a 项目型应用: the device
	// list is at getDeviceListInProjectApplication and the other one
	// answers -88311 (and the other way round).
	ProjectApplication bool
	// Location is where recording days are counted. Default UTC+8.
	Location *time.Location
}

// Server is a running emulator. Point the client's API at URL.
type Server struct {
	URL string

	opts Options
	http *httptest.Server

	mu          sync.Mutex
	keys        map[string]*key
	tempIssued  int
	nonces      map[string]time.Time
	devices     []Device
	channels    map[string][]Channel
	recordings  map[string][]Recording
	tokens      map[string]*streamToken
	sessions    map[string]*relaySession
	cookies     map[string]string // relay cookie -> its SDK token
	notReady    int
	relayURL    func(qrCode string, channel int, streamType string) string
	faults      map[string][]Fault
	calls       map[string]int
	nextDevInfo int64
}

type key struct {
	sk       string
	disabled bool
	temp     bool
	expires  time.Time
}

// Device is a device the emulated application holds (§1.4.3.10).
type Device struct {
	QRCode       string `json:"qrCode,omitempty"`
	Name         string `json:"deviceName"`
	Type         string `json:"deviceType"`
	Status       int    `json:"deviceStatus"`
	OpenType     int    `json:"openType"`
	OpenStatus   int    `json:"openStatus"`
	Model        string `json:"deviceModel"`
	IP           string `json:"ip"`
	MAC          string `json:"mac"`
	RegionName   string `json:"regionName,omitempty"`
	RegionID     string `json:"regionId,omitempty"`
	ParentMAC    string `json:"parentMac,omitempty"`
	ParentQRCode string `json:"parentQrCode,omitempty"`
	ChannelID    int    `json:"channelId,omitempty"`
}

// Channel is a channel of an NVR (§1.4.3.13).
type Channel struct {
	QRCode     string `json:"qrCode,omitempty"`
	Name       string `json:"deviceName"`
	Type       string `json:"deviceType"`
	Status     int    `json:"deviceStatus"`
	Model      string `json:"deviceModel"`
	OpenStatus int    `json:"openStatus"`
	IP         string `json:"ip"`
	MAC        string `json:"mac"`
	Channel    int    `json:"channel"`
}

// Recording is one recorded event of a channel.
type Recording struct {
	Start, End time.Time
	Type       []int // videoType, e.g. [1,0] timed
	Source     int   // 0 IPC, 1 NVR
	Human      bool  // found by searchHumanDetectionVideo
}

// Fault is what the next matching request gets instead of its answer.
type Fault struct {
	// Stall holds the request until this channel is closed or the client
	// gives up; then the rest of the fault (or the real answer) follows.
	Stall <-chan struct{}
	// Code and Msg: answer this error_code (when not 0).
	Code int
	Msg  string
	// Result goes with Code, e.g. a sessionId with -80703.
	Result any
	// Body: answer these raw bytes (garbage) with Status (default 200).
	Body   []byte
	Status int
}

// New starts an emulator; Close it when done.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SkewWindow <= 0 {
		opts.SkewWindow = 5 * time.Minute
	}
	if opts.NonceWindow <= 0 {
		opts.NonceWindow = 5 * time.Minute
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("UTC+8", 8*3600)
	}
	s := &Server{
		opts:        opts,
		keys:        map[string]*key{},
		nonces:      map[string]time.Time{},
		channels:    map[string][]Channel{},
		recordings:  map[string][]Recording{},
		tokens:      map[string]*streamToken{},
		sessions:    map[string]*relaySession{},
		cookies:     map[string]string{},
		faults:      map[string][]Fault{},
		calls:       map[string]int{},
		nextDevInfo: 576620008413343087,
	}
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.http.Config.ReadHeaderTimeout = 10 * time.Second
	s.http.Config.ReadTimeout = 30 * time.Second
	s.http.Start()
	s.URL = s.http.URL
	return s
}

// Close stops the emulator.
func (s *Server) Close() { s.http.Close() }

// AddKey registers a long-term AK/SK of the application.
func (s *Server) AddKey(ak, sk string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[ak] = &key{sk: sk}
}

// DisableKey disables an AK (long-term or temporary): its calls answer -10305.
func (s *Server) DisableKey(ak string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keys[ak]; k != nil {
		k.disabled = true
	}
}

// RevokeTempKeys forgets every temporary AK/SK, as the cloud does when the
// long-term pair is updated: their calls answer -10304.
func (s *Server) RevokeTempKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ak, k := range s.keys {
		if k.temp {
			delete(s.keys, ak)
		}
	}
}

// TempKeysIssued counts the temporary AK/SK handed out.
func (s *Server) TempKeysIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tempIssued
}

// SetDevices replaces the application's device list (NVR channels are
// devices with ParentQRCode set).
func (s *Server) SetDevices(ds []Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.devices = append([]Device(nil), ds...)
}

// SetChannels replaces the channel list of the NVR with this code.
func (s *Server) SetChannels(nvrQRCode string, chs []Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[nvrQRCode] = append([]Channel(nil), chs...)
}

// SetRecordings replaces the recordings of one channel.
func (s *Server) SetRecordings(qrCode string, channel int, rs []Recording) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recordings[channelKey(qrCode, channel)] = append([]Recording(nil), rs...)
}

// SetNotReady makes every new relay resolution answer -80703 n times (the
// requestRelayUrl answer included) before it gives the address.
func (s *Server) SetNotReady(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notReady = n
}

// SetRelayURL makes every resolved stream point at u (e.g. a local test
// camera). Empty restores the default, an address on the emulator.
func (s *Server) SetRelayURL(u string) {
	if u == "" {
		s.SetRelayURLFunc(nil)
		return
	}
	s.SetRelayURLFunc(func(string, int, string) string { return u })
}

// SetRelayURLFunc picks the relay address per channel and stream type.
func (s *Server) SetRelayURLFunc(f func(qrCode string, channel int, streamType string) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.relayURL = f
}

// InjectFault queues a fault for the next request to path (an API path such
// as "/vms/open/webServer/v1/requestRelayUrl"; "" matches any path). Faults
// apply after the signature checks, in the order queued.
func (s *Server) InjectFault(path string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], f)
}

// Calls counts the requests that reached path, refused ones included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

func channelKey(qrCode string, channel int) string {
	return qrCode + "/" + itoa(channel)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("tplinktest: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}
