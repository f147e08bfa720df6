package configs

import (
	"github.com/lubo-edge/lubo/relay/push"
	"github.com/lubo-edge/lubo/relay/sources"
)

// sourceSchemes is the one table of source schemes, shared with the relay.
var sourceSchemes = sources.Builtin()

// checkSource reports what is wrong with a channel's source URL. Messages
// show the URL redacted: it may hold a camera password.
func checkSource(ps *problems, path, raw string) {
	if msg := sourceSchemes.Check(raw); msg != "" {
		ps.add(path, "%s", msg)
	}
}

// checkPushURL accepts an RTMP ingest URL by the pusher's own rules, so
// lubo check refuses what the pusher would; the message shows the URL
// with its stream key hidden.
func checkPushURL(ps *problems, path, raw string) {
	if err := push.CheckURL(raw); err != nil {
		ps.add(path, "%s", err.Error())
	}
}
