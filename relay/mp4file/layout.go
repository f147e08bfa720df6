package mp4file

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Limits on what one looping file may make lubo hold in memory.
const (
	// maxFileSize bounds the file: a looping channel keeps all of it in memory.
	maxFileSize = 256 << 20
	// maxSamples bounds the samples of all tracks together (about 4 h of
	// 25 fps video with 44.1 kHz AAC); gomedia keeps ~40 bytes per sample and
	// per table entry.
	maxSamples = 1 << 20
	// maxSampleSize bounds one sample; gomedia allocates it before reading.
	maxSampleSize = 16 << 20
	// maxTracks bounds the tracks; gomedia looks at every track for every
	// sample it reads.
	maxTracks = 32
)

// errEncrypted is returned for Common Encryption files: lubo has no keys.
var errEncrypted = errors.New("encrypted MP4 is not supported")

// checkLayout walks an MP4 the way gomedia's MovDemuxer.ReadHead does and
// rejects files that would make it misbehave.
//
// gomedia reads box headers one after another without nesting, steps into
// the boxes it knows as containers, and sizes its allocations from counts and
// sizes in the file without checking them against anything: a single wrong
// count makes it allocate gigabytes, which kills the process (an allocation
// failure is fatal in Go, not a panic ReadFrames could recover). So this
// check accepts a file only when every box gomedia would decode is exactly as
// long as gomedia will consume (then its flat walk and the real box tree
// agree, and every box it decodes is one checked here) and every count is
// backed by bytes in the file and within the limits above.
func checkLayout(r io.ReadSeeker, size int64) error {
	c := &layoutCheck{r: r, size: size}
	return c.walk(0, size, 0)
}

// maxDepth bounds box nesting; real files nest about 9 deep.
const maxDepth = 16

type layoutCheck struct {
	r       io.ReadSeeker
	size    int64
	qt      bool  // ftyp lists the QuickTime brand: gomedia then reads longer audio sample entries
	samples int64 // samples declared by all stsz and trun boxes so far
	tracks  int
}

type boxHeader struct {
	typ     string
	start   int64 // offset of the header
	payload int64 // offset of the payload
	end     int64 // offset just past the box
	large   bool  // 64-bit size
}

// walk checks the boxes tiling [start, end) at nesting depth. At the file
// level (depth 0) a box gomedia skips may run past the end (a truncated
// mdat): gomedia then seeks past the end of the file and stops.
func (c *layoutCheck) walk(start, end int64, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("boxes nest more than %d deep at offset %d", maxDepth, start)
	}
	top := depth == 0
	for pos := start; pos < end; {
		if end-pos < 8 {
			return fmt.Errorf("%d stray bytes at offset %d", end-pos, pos)
		}
		h, err := c.header(pos, end)
		if err != nil {
			return err
		}
		if h.end > end {
			if top && skippedBox(h.typ) && (h.typ == "mdat" || !h.large) {
				return nil
			}
			return fmt.Errorf("%q box at offset %d is %d bytes, past the end of its parent at %d", h.typ, pos, h.end-pos, end)
		}
		if h.large && (h.typ != "mdat" || h.end < c.size) {
			// gomedia truncates 64-bit sizes and, for mdat, seeks 8 bytes
			// too far; harmless only when mdat is the last box.
			return fmt.Errorf("%q box at offset %d has a 64-bit size", h.typ, pos)
		}
		if err := c.box(h, depth); err != nil {
			return fmt.Errorf("%q box at offset %d: %w", h.typ, pos, err)
		}
		pos = h.end
	}
	return nil
}

func (c *layoutCheck) header(pos, end int64) (boxHeader, error) {
	b, err := c.read(pos, 8)
	if err != nil {
		return boxHeader{}, err
	}
	size := int64(binary.BigEndian.Uint32(b))
	h := boxHeader{typ: string(b[4:8]), start: pos, payload: pos + 8}
	switch size {
	case 0:
		// "Up to the end of the file": gomedia rejects it as well.
		return h, fmt.Errorf("%q box at offset %d has no size", h.typ, pos)
	case 1:
		if end-pos < 16 {
			return h, fmt.Errorf("%q box at offset %d: truncated 64-bit size", h.typ, pos)
		}
		b, err := c.read(pos+8, 8)
		if err != nil {
			return h, err
		}
		large := binary.BigEndian.Uint64(b)
		if large < 16 || large > 1<<62 {
			return h, fmt.Errorf("%q box at offset %d: bad 64-bit size %d", h.typ, pos, large)
		}
		size, h.payload, h.large = int64(large), pos+16, true
	}
	if h.typ == "uuid" {
		h.payload += 16
	}
	if size < h.payload-pos {
		return h, fmt.Errorf("%q box at offset %d: size %d is shorter than its header", h.typ, pos, size)
	}
	h.end = pos + size
	return h, nil
}

// skippedBox reports whether gomedia steps over a box of this type unread.
func skippedBox(typ string) bool {
	switch typ {
	case "mdat", "uuid":
		return true
	}
	_, known := gomediaBoxes[typ]
	return !known
}

// gomediaBoxes lists the box types gomedia's ReadHead reads into. The rest it
// skips.
var gomediaBoxes = map[string]bool{
	"ftyp": true, "free": true, "moov": true, "mvhd": true, "pssh": true, "trak": true,
	"tkhd": true, "mdhd": true, "hdlr": true, "mdia": true, "minf": true, "vmhd": true,
	"smhd": true, "hmhd": true, "nmhd": true, "stbl": true, "stsd": true, "stts": true,
	"ctts": true, "stsc": true, "stsz": true, "stco": true, "co64": true, "stss": true,
	"encv": true, "sinf": true, "frma": true, "schi": true, "tenc": true, "avc1": true,
	"hvc1": true, "hev1": true, "enca": true, "mp4a": true, "ulaw": true, "alaw": true,
	"opus": true, "avcC": true, "hvcC": true, "esds": true, "edts": true, "elst": true,
	"mvex": true, "moof": true, "mfhd": true, "traf": true, "tfhd": true, "tfdt": true,
	"trun": true, "senc": true, "saiz": true, "saio": true, "sgpd": true, "wave": true,
}

// box checks one box by what gomedia does with its type.
func (c *layoutCheck) box(h boxHeader, depth int) error {
	n := h.end - h.payload
	switch h.typ {
	case "trak":
		if c.tracks++; c.tracks > maxTracks {
			return fmt.Errorf("more than %d tracks", maxTracks)
		}
		return c.walk(h.payload, h.end, depth+1)
	case "moov", "mdia", "minf", "stbl", "edts", "mvex", "moof", "traf":
		return c.walk(h.payload, h.end, depth+1)
	case "sinf", "schi", "frma", "tenc", "encv", "enca", "pssh", "senc", "saiz", "saio":
		return errEncrypted
	case "opus":
		// gomedia reads nothing of it and goes on inside, so the fixed part
		// of the sample entry would be read as boxes.
		return c.walk(h.payload, h.end, depth+1)
	case "avc1", "hvc1", "hev1":
		return c.entry(h, depth, 78)
	case "mp4a", "ulaw", "alaw":
		return c.audioEntry(h, depth)
	case "wave":
		return c.entry(h, depth, 24)
	case "stsd":
		return c.entry(h, depth, 8)
	case "ftyp":
		return c.ftyp(h)
	case "mvhd":
		return c.versioned(h, 100, 112)
	case "tkhd":
		return c.versioned(h, 84, 96)
	case "mdhd":
		return c.versioned(h, 24, 36)
	case "vmhd":
		return exactly(n, 12)
	case "smhd", "mfhd":
		return exactly(n, 8)
	case "hmhd", "nmhd":
		// gomedia reads only the version and flags: a hint track's longer
		// header would be read as boxes.
		return exactly(n, 4)
	case "hdlr", "tfdt":
		return atLeast(n, 8)
	case "avcC":
		return atLeast(n, 7)
	case "hvcC":
		return atLeast(n, 23)
	case "esds":
		return atLeast(n, 4)
	case "stts", "ctts", "co64":
		return c.table(h, 8, 0)
	case "stsc":
		return c.table(h, 12, 0)
	case "stco", "stss":
		return c.table(h, 4, 0)
	case "elst":
		return c.table(h, 12, 20)
	case "stsz":
		return c.stsz(h)
	case "tfhd":
		return c.tfhd(h)
	case "trun":
		return c.trun(h)
	case "sgpd":
		return c.sgpd(h)
	}
	return nil // free, mdat, uuid and unknown boxes: read whole or skipped
}

// entry checks a box of which gomedia reads fixed bytes and then goes on
// reading boxes inside it.
func (c *layoutCheck) entry(h boxHeader, depth int, fixed int64) error {
	if err := atLeast(h.end-h.payload, fixed); err != nil {
		return err
	}
	return c.walk(h.payload+fixed, h.end, depth+1)
}

func (c *layoutCheck) audioEntry(h boxHeader, depth int) error {
	const fixed = 28
	if err := atLeast(h.end-h.payload, fixed); err != nil {
		return err
	}
	b, err := c.read(h.payload+8, 2)
	if err != nil {
		return err
	}
	extra := int64(0)
	switch version := binary.BigEndian.Uint16(b); {
	case c.qt && version == 1:
		extra = 16
	case c.qt && version == 2:
		extra = 36
	}
	return c.entry(h, depth, fixed+extra)
}

func (c *layoutCheck) ftyp(h boxHeader) error {
	n := h.end - h.payload
	if err := atLeast(n, 8); err != nil {
		return err
	}
	b, err := c.read(h.payload, int(n))
	if err != nil {
		return err
	}
	c.qt = false
	for i := 8; i+4 <= len(b); i += 4 {
		if string(b[i:i+4]) == "qt  " {
			c.qt = true
		}
	}
	return nil
}

// versioned checks a full box whose length depends only on its version.
func (c *layoutCheck) versioned(h boxHeader, v0, v1 int64) error {
	n := h.end - h.payload
	if err := atLeast(n, 4); err != nil {
		return err
	}
	b, err := c.read(h.payload, 1)
	if err != nil {
		return err
	}
	if b[0] == 1 {
		return exactly(n, v1)
	}
	return exactly(n, v0)
}

func (c *layoutCheck) addSamples(n int64) error {
	c.samples += n
	if c.samples > maxSamples {
		return fmt.Errorf("more than %d samples", maxSamples)
	}
	if c.samples > c.size {
		return fmt.Errorf("%d samples in a %d-byte file", c.samples, c.size)
	}
	return nil
}

func (c *layoutCheck) sampleSize(n int64) error {
	if n > maxSampleSize || n > c.size {
		return fmt.Errorf("a sample of %d bytes in a %d-byte file", n, c.size)
	}
	return nil
}

// read returns n bytes at off; the caller has checked they are in the file.
func (c *layoutCheck) read(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off+int64(n) > c.size {
		return nil, fmt.Errorf("read of %d bytes at offset %d is past the end of the file", n, off)
	}
	if _, err := c.r.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c.r, b); err != nil {
		return nil, fmt.Errorf("read at offset %d: %w", off, err)
	}
	return b, nil
}

func exactly(n, want int64) error {
	if n != want {
		return fmt.Errorf("payload is %d bytes, want %d", n, want)
	}
	return nil
}

func atLeast(n, want int64) error {
	if n < want {
		return fmt.Errorf("payload is %d bytes, want at least %d", n, want)
	}
	return nil
}
