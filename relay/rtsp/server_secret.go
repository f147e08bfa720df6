package rtsp

import (
	"fmt"
	"log/slog"
)

// The players' password must not leak through a printed or logged
// ServerOptions or Server.

// String describes the options with the password masked.
func (o ServerOptions) String() string {
	pass := ""
	if o.Pass != "" {
		pass = "******"
	}
	return fmt.Sprintf("{User:%q Pass:%s UDPRTPPort:%d DescribeTimeout:%v MaxConns:%d IdleTimeout:%v}",
		o.User, pass, o.UDPRTPPort, o.DescribeTimeout, o.MaxConns, o.IdleTimeout)
}

// GoString is String, for %#v.
func (o ServerOptions) GoString() string { return "rtsp.ServerOptions" + o.String() }

// LogValue is String, for slog.
func (o ServerOptions) LogValue() slog.Value { return slog.StringValue(o.String()) }

// String names the server by its address.
func (s *Server) String() string {
	if a := s.Addr(); a != nil {
		return "rtsp server " + a.String()
	}
	return "rtsp server (not listening)"
}

// GoString is String, for %#v.
func (s *Server) GoString() string { return s.String() }

// LogValue is String, for slog.
func (s *Server) LogValue() slog.Value { return slog.StringValue(s.String()) }
