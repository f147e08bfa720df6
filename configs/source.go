package configs

import "github.com/lubo-edge/lubo/relay/sources"

// sourceSchemes is the one table of source schemes, shared with the relay.
var sourceSchemes = sources.Builtin()

// checkSource reports what is wrong with a channel's source URL. Messages
// show the URL redacted: it may hold a camera password.
func checkSource(ps *problems, path, raw string) {
	if msg := sourceSchemes.Check(raw); msg != "" {
		ps.add(path, "%s", msg)
	}
}
