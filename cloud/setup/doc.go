// Package setup builds each vendor cloud client from lubo's config section.
//
// The vendor packages (cloud/tplink, cloud/ezviz, cloud/hikyunmou, cloud/onenet) are pure
// clients that know nothing of lubo; this package is the thin registration
// between them and lubo's configs, shared by the daemon and `lubo cloud`, so
// both talk to a cloud with the same settings. A constructor never touches the
// network.
package setup
