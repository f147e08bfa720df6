package mp4file

import (
	"encoding/binary"
	"fmt"
)

// The boxes of sample tables and movie fragments: where gomedia takes counts
// and sizes from the file.

// table checks a full box holding a 32-bit entry count and then the entries;
// entryV1 is the entry size for version 1 when it differs.
func (c *layoutCheck) table(h boxHeader, entry, entryV1 int64) error {
	n := h.end - h.payload
	if err := atLeast(n, 8); err != nil {
		return err
	}
	b, err := c.read(h.payload, 8)
	if err != nil {
		return err
	}
	if b[0] == 1 && entryV1 != 0 {
		entry = entryV1
	}
	count := int64(binary.BigEndian.Uint32(b[4:]))
	if count > maxSamples {
		return fmt.Errorf("%d entries, more than %d", count, maxSamples)
	}
	return exactly(n, 8+count*entry)
}

func (c *layoutCheck) stsz(h boxHeader) error {
	n := h.end - h.payload
	if err := atLeast(n, 12); err != nil {
		return err
	}
	b, err := c.read(h.payload, 12)
	if err != nil {
		return err
	}
	sampleSize := int64(binary.BigEndian.Uint32(b[4:]))
	count := int64(binary.BigEndian.Uint32(b[8:]))
	if err := c.addSamples(count); err != nil {
		return err
	}
	if sampleSize != 0 {
		if err := c.sampleSize(sampleSize); err != nil {
			return err
		}
		if count*sampleSize > c.size {
			return fmt.Errorf("%d samples of %d bytes in a %d-byte file", count, sampleSize, c.size)
		}
		return exactly(n, 12)
	}
	if err := exactly(n, 12+4*count); err != nil {
		return err
	}
	sizes, err := c.read(h.payload+12, int(4*count))
	if err != nil {
		return err
	}
	for i := 0; i < len(sizes); i += 4 {
		if err := c.sampleSize(int64(binary.BigEndian.Uint32(sizes[i:]))); err != nil {
			return err
		}
	}
	return nil
}

// Flags of tfhd and trun that add fields.
const (
	tfhdBaseDataOffset   = 0x01
	tfhdDescriptionIndex = 0x02
	tfhdDefaultDuration  = 0x08
	tfhdDefaultSize      = 0x10
	tfhdDefaultFlags     = 0x20

	trunDataOffset       = 0x001
	trunFirstSampleFlags = 0x004
	trunSampleDuration   = 0x100
	trunSampleSize       = 0x200
	trunSampleFlags      = 0x400
	trunSampleCTS        = 0x800
)

func (c *layoutCheck) tfhd(h boxHeader) error {
	n := h.end - h.payload
	if err := atLeast(n, 8); err != nil {
		return err
	}
	b, err := c.read(h.payload, int(n))
	if err != nil {
		return err
	}
	flags := binary.BigEndian.Uint32(b) & 0xffffff
	need := int64(8)
	for _, f := range []struct {
		flag uint32
		len  int64
	}{{tfhdBaseDataOffset, 8}, {tfhdDescriptionIndex, 4}, {tfhdDefaultDuration, 4}, {tfhdDefaultSize, 4}, {tfhdDefaultFlags, 4}} {
		if flags&f.flag == 0 {
			continue
		}
		if f.flag == tfhdDefaultSize && n >= need+4 {
			if err := c.sampleSize(int64(binary.BigEndian.Uint32(b[need:]))); err != nil {
				return err
			}
		}
		need += f.len
	}
	return atLeast(n, need)
}

func (c *layoutCheck) trun(h boxHeader) error {
	n := h.end - h.payload
	if err := atLeast(n, 8); err != nil {
		return err
	}
	b, err := c.read(h.payload, int(n))
	if err != nil {
		return err
	}
	flags := binary.BigEndian.Uint32(b) & 0xffffff
	count := int64(binary.BigEndian.Uint32(b[4:]))
	if err := c.addSamples(count); err != nil {
		return err
	}
	pos := int64(8)
	if flags&trunDataOffset != 0 {
		pos += 4
	}
	if flags&trunFirstSampleFlags != 0 {
		pos += 4
	}
	entry, sizeAt := int64(0), int64(-1)
	if flags&trunSampleDuration != 0 {
		entry += 4
	}
	if flags&trunSampleSize != 0 {
		sizeAt = entry
		entry += 4
	}
	if flags&trunSampleFlags != 0 {
		entry += 4
	}
	if flags&trunSampleCTS != 0 {
		entry += 4
	}
	if err := atLeast(n, pos+count*entry); err != nil {
		return err
	}
	if sizeAt >= 0 {
		for i := int64(0); i < count; i++ {
			at := pos + i*entry + sizeAt
			if err := c.sampleSize(int64(binary.BigEndian.Uint32(b[at:]))); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *layoutCheck) sgpd(h boxHeader) error {
	n := h.end - h.payload
	if err := atLeast(n, 12); err != nil {
		return err
	}
	b, err := c.read(h.payload, int(n))
	if err != nil {
		return err
	}
	if string(b[4:8]) == "seig" {
		return errEncrypted
	}
	countAt := 8
	switch v := b[0]; {
	case v >= 2:
		countAt += 8
	case v == 1:
		countAt += 4
	}
	if err := atLeast(n, int64(countAt)+4); err != nil {
		return err
	}
	// gomedia loops over every entry even when it ignores the group type.
	if count := int64(binary.BigEndian.Uint32(b[countAt:])); count > n {
		return fmt.Errorf("%d entries in %d bytes", count, n)
	}
	return nil
}

// addSamples counts declared samples. Each needs at least a byte of the file,
// which keeps the work per file proportional to its size.
