package relay

import "github.com/lubo-edge/lubo/media"

// LatestKeyframe is the video keyframe that starts the cached GOP, or nil
// before the first keyframe of the session and after shutdown. It peeks at
// the cache without attaching a reader, so it never starts an on-demand
// source; snapshots use it. The frame is shared: read it, never modify it.
func (s *Stream) LatestKeyframe() *media.Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.gop) == 0 {
		return nil
	}
	if f := s.gop[0]; f.IsVideo() && f.Key {
		return f
	}
	return nil
}
