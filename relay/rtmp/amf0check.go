package rtmp

import "encoding/binary"

// gomedia decodes AMF0 commands trusting every length in them: a long
// string declaring 4 GiB makes it allocate 4 GiB before it notices the
// message is 30 bytes long. checkAMF0 walks a command's values first and
// refuses any whose lengths or counts run past the message, so gomedia
// only ever decodes well-formed commands.

// maxAMF0Depth bounds object nesting; commands nest two or three deep.
const maxAMF0Depth = 32

// AMF0 type markers.
const (
	amf0Number      = 0x00
	amf0Boolean     = 0x01
	amf0String      = 0x02
	amf0Object      = 0x03
	amf0Null        = 0x05
	amf0Undefined   = 0x06
	amf0Reference   = 0x07
	amf0ECMAArray   = 0x08
	amf0ObjectEnd   = 0x09
	amf0StrictArray = 0x0A
	amf0Date        = 0x0B
	amf0LongString  = 0x0C
	amf0Unsupported = 0x0D
	amf0XMLDocument = 0x0F
	amf0TypedObject = 0x10
	amf0SwitchAMF3  = 0x11
)

// checkAMF0 reports whether b is a sequence of well-formed AMF0 values.
func checkAMF0(b []byte) error {
	for len(b) > 0 {
		n, err := amf0Value(b, 0)
		if err != nil {
			return err
		}
		if n < 0 {
			return nil // AMF3 from here on: gomedia does not decode it
		}
		b = b[n:]
	}
	return nil
}

// amf0Value returns the length of the value at the start of b, or -1 for
// a switch to AMF3, which ends what AMF0 can check.
func amf0Value(b []byte, depth int) (int, error) {
	if len(b) == 0 {
		return 0, protocolError("AMF0 value missing")
	}
	if depth > maxAMF0Depth {
		return 0, protocolError("AMF0 values nested deeper than %d", maxAMF0Depth)
	}
	fixed := func(n int) (int, error) {
		if len(b) < n {
			return 0, protocolError("AMF0 value of type %#x cut short", b[0])
		}
		return n, nil
	}
	sized := func(head, size int) (int, error) {
		if _, err := fixed(1 + head); err != nil {
			return 0, err
		}
		var n uint64
		if head == 2 {
			n = uint64(binary.BigEndian.Uint16(b[1:]))
		} else {
			n = uint64(binary.BigEndian.Uint32(b[1:]))
		}
		if n*uint64(size) > uint64(len(b)-1-head) {
			return 0, protocolError("AMF0 value of type %#x declares %d bytes past the message's end", b[0], n*uint64(size))
		}
		return 1 + head + int(n)*size, nil
	}
	switch b[0] {
	case amf0Number:
		return fixed(9)
	case amf0Boolean:
		return fixed(2)
	case amf0String:
		return sized(2, 1)
	case amf0LongString, amf0XMLDocument:
		return sized(4, 1)
	case amf0Null, amf0Undefined, amf0Unsupported:
		return 1, nil
	case amf0Reference:
		return fixed(3)
	case amf0Date:
		return fixed(11)
	case amf0Object:
		return amf0Properties(b, 1, depth)
	case amf0ECMAArray:
		if _, err := fixed(5); err != nil {
			return 0, err
		}
		return amf0Properties(b, 5, depth)
	case amf0TypedObject:
		n, err := sized(2, 1) // the class name
		if err != nil {
			return 0, err
		}
		return amf0Properties(b, n, depth)
	case amf0StrictArray:
		// Every value takes at least a byte, so the count is bounded
		// by the bytes there are.
		if _, err := sized(4, 1); err != nil {
			return 0, err
		}
		count := int(binary.BigEndian.Uint32(b[1:]))
		off := 5
		for range count {
			n, err := amf0Value(b[off:], depth+1)
			if err != nil {
				return 0, err
			}
			if n < 0 {
				return -1, nil
			}
			off += n
		}
		return off, nil
	case amf0SwitchAMF3:
		return -1, nil
	}
	return 0, protocolError("AMF0 type marker %#x", b[0])
}

// amf0Properties returns the length of the object whose properties start
// at b[off:], through its end marker.
func amf0Properties(b []byte, off, depth int) (int, error) {
	for {
		if len(b)-off < 3 {
			return 0, protocolError("AMF0 object without its end")
		}
		key := int(binary.BigEndian.Uint16(b[off:]))
		if key == 0 && b[off+2] == amf0ObjectEnd {
			return off + 3, nil
		}
		off += 2 + key
		if off >= len(b) {
			return 0, protocolError("AMF0 property name runs past the message's end")
		}
		n, err := amf0Value(b[off:], depth+1)
		if err != nil {
			return 0, err
		}
		if n < 0 {
			return -1, nil
		}
		off += n
	}
}
