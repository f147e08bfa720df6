package rtmp

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

func vframe(ms int, key bool) *media.Frame {
	return &media.Frame{Codec: media.H264, DTS: time.Duration(ms) * time.Millisecond, Key: key, Data: []byte{0, 0, 0, 1, 0x41}}
}

func aframe(ms int) *media.Frame {
	return &media.Frame{Codec: media.AAC, DTS: time.Duration(ms) * time.Millisecond, Key: true, Data: []byte{1}}
}

func drain(t *testing.T, q *frameQueue) []*media.Frame {
	t.Helper()
	var out []*media.Frame
	for {
		q.mu.Lock()
		n := q.n
		q.mu.Unlock()
		if n == 0 {
			return out
		}
		f, err := q.next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
}

// TestQueueDropsToKeyframe: a full queue drops everything up to the next
// video keyframe, audio included, and resumes there.
func TestQueueDropsToKeyframe(t *testing.T) {
	q := newFrameQueue(4, true)
	in := []*media.Frame{vframe(0, true), vframe(40, false), aframe(40), vframe(80, false)}
	for _, f := range in {
		q.push(f)
	}
	q.push(vframe(120, false)) // full: dropped, now waiting for a keyframe
	if got := drain(t, q); len(got) != 4 || got[3] != in[3] {
		t.Fatalf("queued %d frames", len(got))
	}
	q.push(aframe(130))        // waiting: dropped
	q.push(vframe(160, false)) // waiting: dropped
	key := vframe(200, true)
	q.push(key)
	q.push(aframe(210))
	got := drain(t, q)
	if len(got) != 2 || got[0] != key {
		t.Fatalf("after the drop the queue holds %v, want the keyframe first", got)
	}
	if d := q.takeDropped(); d != 3 {
		t.Errorf("dropped %d, want 3", d)
	}
}

// TestBroadcast covers the life of a name: readers waiting for a
// publisher, a late joiner starting at the cached GOP, a reader that never
// reads holding nobody up, and the end draining into errSessionEnded.
func TestBroadcast(t *testing.T) {
	b := newBroadcast("live/x")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	type sub struct {
		s   *session
		q   *frameQueue
		err error
	}
	early := make(chan sub, 1)
	go func() {
		s, q, err := b.subscribe(ctx, 1024)
		early <- sub{s, q, err}
	}()

	c, err := b.claim()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.claim(); !errors.Is(err, errNameBusy) {
		t.Fatalf("second claim: %v", err)
	}
	tracks := &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}, Audio: &media.AudioTrack{Codec: media.AAC}}
	c.begin(tracks)
	w := <-early
	if w.err != nil || w.s.tracks.Video == nil || w.s.tracks.Session != 1 {
		t.Fatalf("waiting reader: %+v", w)
	}

	stuck, stuckQ, _ := b.subscribe(ctx, 8) // never read
	defer b.unsubscribe(stuck, stuckQ)

	const frames = 5000
	for i := range frames {
		c.write(vframe(i*40, i%25 == 0))
		if i == 30 { // mid-GOP: the late joiner gets frames 25..30 first
			late, lq, err := b.subscribe(ctx, 1024)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := lq.next(ctx)
			if !first.Key || first.DTS != 25*40*time.Millisecond {
				t.Fatalf("late joiner starts at %+v", first)
			}
			b.unsubscribe(late, lq)
		}
	}
	c.release()

	n := 0
	for {
		f, err := w.q.next(ctx)
		if errors.Is(err, errSessionEnded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if f.Tracks != w.s.tracks {
			t.Fatalf("frame without its session's tracks")
		}
		n++
	}
	// 1024 queued before anyone read; the rest was dropped to keyframes.
	if n < 1000 || n > frames {
		t.Errorf("reader got %d frames", n)
	}
	if stuckQ.takeDropped() == 0 {
		t.Errorf("the stuck reader dropped nothing")
	}
	if c2, err := b.claim(); err != nil {
		t.Errorf("claim after release: %v", err)
	} else {
		c2.release()
	}
}

func BenchmarkFanOut(b *testing.B) {
	for _, readers := range []int{1, 10, 100} {
		b.Run(fmt.Sprint(readers, "readers"), func(b *testing.B) {
			br := newBroadcast("bench")
			c, _ := br.claim()
			c.begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			for range readers {
				_, q, _ := br.subscribe(ctx, 1024)
				go func() {
					defer func() { done <- struct{}{} }()
					for {
						if _, err := q.next(ctx); err != nil {
							return
						}
					}
				}()
			}
			fs := make([]*media.Frame, 50)
			for i := range fs {
				fs[i] = vframe(i*40, i%25 == 0)
				fs[i].Tracks = br.cur.tracks // as written once: no store while readers read
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				c.write(fs[i%len(fs)])
			}
			b.StopTimer()
			c.release()
			for range readers {
				<-done
			}
		})
	}
}
