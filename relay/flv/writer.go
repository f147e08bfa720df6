package flv

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/media"
)

// Writer muxes frames into an FLV byte stream for one viewer.
//
// Each tag goes out with a single Write (header, payload and
// PreviousTagSize assembled in a buffer the Writer reuses), so it can sit
// directly on an http.ResponseWriter. Timestamps start at 0 with the first
// frame written. A Writer is not safe for concurrent use.
type Writer struct {
	w      io.Writer
	tracks *media.Tracks // the parameters the viewer was last told about

	hevc HEVCMode

	headerDone   bool
	videoSeqSent bool // sequence headers went out for the current tracks
	exSeqOpen    bool // an enhanced hvc1 SequenceStart went out, no SequenceEnd yet
	audioSeqSent bool
	videoStarted bool // a keyframe went out since the video sequence header

	started bool
	base    time.Duration // DTS of the first frame written
	lastTS  uint32        // timestamp of the last frame written

	// buf holds the tags of a frame up to a picture's NAL units, which go
	// from the frame itself, as parts; tail is then the picture tag's
	// PreviousTagSize. They reach the viewer through one ChunkWriter
	// buffer of chunkSize, so no buffer grows to a keyframe's size (one
	// per viewer, for as long as it watches) and pictures are copied at
	// most once.
	buf   []byte
	parts []bmff.Part
	tail  uint32
	chunk []byte
}

// chunkSize is the most written to a viewer at once from the buffer: room
// for the pictures between keyframes of a 4 Mbps camera (about 20 kB) and
// their tags, in one write.
const chunkSize = 32 << 10

// WriterOption changes how a Writer muxes.
type WriterOption func(*Writer)

// WithHEVCMode picks how H.265 is written; the default is Legacy12.
func WithHEVCMode(m HEVCMode) WriterOption { return func(w *Writer) { w.hevc = m } }

// NewWriter returns a Writer for frames described by t. Frames whose Tracks
// differ from t in codec parameters (a source reconnect) make the Writer send
// new sequence headers before the next keyframe.
func NewWriter(w io.Writer, t *media.Tracks, opts ...WriterOption) *Writer {
	fw := &Writer{w: w, tracks: t, buf: make([]byte, 0, 1<<10), chunk: make([]byte, 0, chunkSize)}
	for _, o := range opts {
		o(fw)
	}
	return fw
}

// EndSequence writes an enhanced-RTMP SequenceEnd when an enhanced H.265
// sequence is open, so a player knows the stream ended on purpose (the
// channel stopped); it writes nothing otherwise.
func (w *Writer) EndSequence() error {
	if !w.exSeqOpen {
		return nil
	}
	w.buf = w.appendSequenceEnd(w.buf[:0])
	return w.flush()
}

// WriteHeader writes the FLV header and the onMetaData tag now, so a viewer
// gets a response before the first frame. WriteFrame does it otherwise.
func (w *Writer) WriteHeader() error {
	if w.headerDone {
		return nil
	}
	w.buf = w.appendHeader(w.buf[:0])
	return w.flush()
}

// WriteFrame writes one frame, preceded by the FLV header and sequence
// headers where needed. Frames FLV cannot carry, frames of a codec the
// current tracks do not declare, and video before the first keyframe are
// skipped without error. The frame is not modified.
func (w *Writer) WriteFrame(f *media.Frame) error {
	b := w.buf[:0]
	if f.Tracks != nil && f.Tracks != w.tracks {
		b = w.switchTracks(b, f.Tracks)
	}
	if !w.headerDone {
		b = w.appendHeader(b)
	}
	switch {
	case f.Codec.IsVideo():
		b = w.appendVideo(b, f)
	case f.Codec.IsAudio():
		b = w.appendAudio(b, f)
	}
	w.buf = b
	if len(b) == 0 {
		return nil
	}
	return w.flush()
}

func (w *Writer) flush() error {
	cw := bmff.NewChunkWriter(w.w, w.chunk)
	cw.Put(w.buf)
	if len(w.parts) > 0 {
		cw.PutParts(w.parts)
		cw.PutLength(w.tail)
	}
	cw.Flush()
	w.buf = w.buf[:0]
	clear(w.parts)
	w.parts = w.parts[:0]
	if err := cw.Err(); err != nil {
		return fmt.Errorf("flv: write: %w", err)
	}
	return nil
}

// switchTracks adopts new tracks; if their parameters differ from what the
// viewer has, it announces them and arranges for new sequence headers of the
// tracks that changed (video resumes at the next keyframe).
func (w *Writer) switchTracks(b []byte, t *media.Tracks) []byte {
	old := w.tracks
	w.tracks = t
	if !w.headerDone {
		return b
	}
	videoSame, audioSame := media.SameVideo(videoOf(old), videoOf(t)), media.SameAudio(audioOf(old), audioOf(t))
	if !videoSame {
		w.videoSeqSent, w.videoStarted = false, false
		// The old picture sequence is over; the new one gets its own start.
		b = w.appendSequenceEnd(b)
	}
	if !audioSame {
		w.audioSeqSent = false
	}
	if videoSame && audioSame {
		return b
	}
	return w.appendScript(b, w.lastTS)
}

func (w *Writer) appendHeader(b []byte) []byte {
	flags := byte(0)
	if w.tracks == nil || w.tracks.Video != nil {
		flags |= 0x01
	}
	if w.tracks == nil || w.tracks.Audio != nil {
		flags |= 0x04
	}
	b = append(b, 'F', 'L', 'V', 1, flags, 0, 0, 0, 9, 0, 0, 0, 0)
	w.headerDone = true
	return w.appendScript(b, 0)
}

func (w *Writer) appendScript(b []byte, ts uint32) []byte {
	t := w.tracks
	if t == nil {
		t = &media.Tracks{}
	}
	start := len(b)
	b = appendTagHeader(b, TagScript, ts)
	b = appendMetadata(b, t, w.hevc)
	return finishTag(b, start)
}

func (w *Writer) appendVideo(b []byte, f *media.Frame) []byte {
	var v *media.VideoTrack
	if w.tracks != nil {
		v = w.tracks.Video
	}
	if v == nil || v.Codec != f.Codec || (!w.videoStarted && !f.Key) {
		return b
	}
	enhanced := w.hevc == Enhanced && f.Codec == media.H265
	codecID := videoCodecID(f.Codec)
	ts := w.timestamp(f.DTS)
	if !w.videoSeqSent {
		rec, err := videoRecordFor(v, f)
		if err != nil {
			return b // wait for a keyframe that carries its parameter sets
		}
		start := len(b)
		b = appendTagHeader(b, TagVideo, ts)
		if enhanced {
			b = appendExVideoHeader(b, frameTypeKey, exPacketSequenceStart)
			w.exSeqOpen = true
		} else {
			b = append(b, frameTypeKey<<4|codecID, packetSequenceHeader, 0, 0, 0)
		}
		b = append(b, rec...)
		b = finishTag(b, start)
		w.videoSeqSent = true
	}

	start := len(b)
	b = appendTagHeader(b, TagVideo, ts)
	frameType := byte(frameTypeInter)
	if f.Key {
		frameType = frameTypeKey
	}
	cts := clampCTS((f.PTS - f.DTS) / time.Millisecond)
	switch {
	case !enhanced:
		b = append(b, frameType<<4|codecID, packetData, byte(cts>>16), byte(cts>>8), byte(cts))
	case cts == 0:
		// CodedFramesX: the composition time is implied zero, not sent.
		b = appendExVideoHeader(b, frameType, exPacketCodedFramesX)
	default:
		b = appendExVideoHeader(b, frameType, exPacketCodedFrames)
		b = append(b, byte(cts>>16), byte(cts>>8), byte(cts))
	}
	size := len(b) - start - 11 // the tag's data so far
	media.SplitAnnexB(f.Data, func(nalu []byte) bool {
		if !isParamOrAUD(f.Codec, nalu) {
			p := bmff.Part{Data: nalu, LengthPrefixed: true}
			w.parts = append(w.parts, p)
			size += p.Size()
		}
		return true
	})
	if len(w.parts) == 0 {
		return b[:start]
	}
	w.videoStarted = true
	// The tag's size now; its PreviousTagSize goes after the parts.
	b[start+1], b[start+2], b[start+3] = byte(size>>16), byte(size>>8), byte(size)
	w.tail = uint32(size + 11)
	return b
}

// appendSequenceEnd closes an open enhanced hvc1 sequence (a keyframe-typed
// SequenceEnd with no body), at the time of the last frame written.
func (w *Writer) appendSequenceEnd(b []byte) []byte {
	if !w.exSeqOpen {
		return b
	}
	start := len(b)
	b = appendTagHeader(b, TagVideo, w.lastTS)
	b = appendExVideoHeader(b, frameTypeKey, exPacketSequenceEnd)
	w.exSeqOpen = false
	return finishTag(b, start)
}

// videoRecordFor builds the sequence header from the track, or, when the
// track lacks parameter sets, from those carried in the keyframe itself.
func videoRecordFor(v *media.VideoTrack, f *media.Frame) ([]byte, error) {
	rec, err := VideoConfigRecord(v)
	if err == nil {
		return rec, nil
	}
	inband := &media.VideoTrack{Codec: v.Codec}
	media.FillParamSets(inband, f.Data)
	return VideoConfigRecord(inband)
}

func (w *Writer) appendAudio(b []byte, f *media.Frame) []byte {
	var a *media.AudioTrack
	if w.tracks != nil {
		a = w.tracks.Audio
	}
	if a == nil || a.Codec != f.Codec || len(f.Data) == 0 {
		return b
	}
	ts := w.timestamp(f.DTS)
	start := len(b)
	if a.Codec == media.AAC {
		if !w.audioSeqSent {
			asc, err := AudioSpecificConfig(a)
			if err != nil {
				return b
			}
			b = appendTagHeader(b, TagAudio, ts)
			b = append(b, aacSoundByte, packetSequenceHeader)
			b = append(b, asc...)
			b = finishTag(b, start)
			w.audioSeqSent = true
			start = len(b)
		}
		b = appendTagHeader(b, TagAudio, ts)
		b = append(b, aacSoundByte, packetData)
	} else {
		b = appendTagHeader(b, TagAudio, ts)
		b = append(b, g711SoundByte(a))
	}
	b = append(b, f.Data...)
	return finishTag(b, start)
}

// aacSoundByte is AAC; the rate, size and channel bits are fixed for AAC
// (44 kHz, 16 bit, stereo) and the decoder uses the AudioSpecificConfig.
const aacSoundByte = SoundAAC<<4 | 3<<2 | 1<<1 | 1

// g711SoundByte uses the 5.5 kHz rate code, which readers take as 8 kHz for
// G.711 (there is no 8 kHz code), as ffmpeg writes it.
func g711SoundByte(a *media.AudioTrack) byte {
	b := soundFormat(a.Codec)<<4 | 1<<1
	if a.Channels > 1 {
		b |= 1
	}
	return b
}

func (w *Writer) timestamp(dts time.Duration) uint32 {
	if !w.started {
		w.started = true
		w.base = dts
	}
	d := dts - w.base
	if d < 0 {
		d = 0
	}
	w.lastTS = uint32(d / time.Millisecond)
	return w.lastTS
}

func appendTagHeader(b []byte, typ TagType, ts uint32) []byte {
	return append(b, byte(typ), 0, 0, 0, byte(ts>>16), byte(ts>>8), byte(ts), byte(ts>>24), 0, 0, 0)
}

// finishTag fills in the data size of the tag starting at start and appends
// its PreviousTagSize.
func finishTag(b []byte, start int) []byte {
	size := len(b) - start - 11
	b[start+1], b[start+2], b[start+3] = byte(size>>16), byte(size>>8), byte(size)
	return binary.BigEndian.AppendUint32(b, uint32(size+11))
}

func clampCTS(ms time.Duration) int32 {
	return int32(min(max(ms, -1<<23), 1<<23-1))
}

// isParamOrAUD reports NAL units that do not belong in an FLV video payload:
// parameter sets travel in the sequence header, AUDs are meaningless in AVCC.
func isParamOrAUD(c media.Codec, nalu []byte) bool {
	if c == media.H265 {
		t := media.H265Type(nalu)
		return t == media.H265VPS || t == media.H265SPS || t == media.H265PPS || t == media.H265AUD
	}
	t := media.H264Type(nalu)
	return t == media.H264SPS || t == media.H264PPS || t == media.H264AUD
}

func videoOf(t *media.Tracks) *media.VideoTrack {
	if t == nil {
		return nil
	}
	return t.Video
}

func audioOf(t *media.Tracks) *media.AudioTrack {
	if t == nil {
		return nil
	}
	return t.Audio
}
