package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/api/auth"
	"github.com/lubo-edge/lubo/configs"
)

// installedConfig is the config an installed lubo runs with
// (systemd/lubo.service): the verbs that talk to a running lubo read its
// data_dir for the CLI token when no -config is given.
var installedConfig = "/etc/lubo/lubo.yaml"

// defaultDaemonAddr is where the verbs find a running lubo.
const defaultDaemonAddr = "http://127.0.0.1:8080"

// daemonFlags are the flags every verb that talks to a running lubo has.
type daemonFlags struct {
	fs     *flag.FlagSet
	addr   *string
	config *string
}

func addDaemonFlags(fs *flag.FlagSet) *daemonFlags {
	return &daemonFlags{
		fs:   fs,
		addr: fs.String("addr", defaultDaemonAddr, "lubo's HTTP address"),
		config: fs.String("config", installedConfig, "lubo's config file; when it has auth:, the CLI token in its data_dir is sent "+
			"(readable by root and the lubo user only)"),
	}
}

// configGiven reports whether -config was on the command line.
func (f *daemonFlags) configGiven() bool {
	given := false
	f.fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == "config" })
	return given
}

// daemonConn is a running lubo as a verb reaches it: its address and,
// when the config has sign-in on, the CLI token.
type daemonConn struct {
	addr   string // without a trailing slash
	token  auth.CLIToken
	hint   string // said after a 401 when no token was sent
	client *http.Client
}

// connect reads the config for the token. An error is for the user as it
// stands: it names the file and says what to do.
func (f *daemonFlags) connect(timeout time.Duration) (*daemonConn, error) {
	c := &daemonConn{
		addr: strings.TrimSuffix(*f.addr, "/"),
		client: &http.Client{
			Timeout: timeout,
			// The token goes to -addr and nowhere else: no redirect, and
			// no HTTP_PROXY (it would see the token in clear).
			Transport:     &http.Transport{Proxy: nil},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	path := *f.config
	cfg, err := configs.Load(path)
	if err != nil {
		if !f.configGiven() && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)) {
			// Not an installed box, or a user who may not read its
			// config: carry on without a token, as with auth off.
			c.hint = fmt.Sprintf("%s has sign-in on: run this as root or as the lubo user, with -config set to the config lubo runs with "+
				"(default %s: %v), so that the CLI token in its data_dir is sent", *f.addr, installedConfig, rootCause(err))
			return c, nil
		}
		var pe *configs.ProblemsError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %d problem(s):\n%s", path, len(pe.Problems), pe.Error())
		}
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("%s: permission denied; run this as root or as the lubo user (sudo)", path)
		}
		return nil, fmt.Errorf("%s: %v", path, rootCause(err))
	}
	if cfg.Auth == nil {
		c.hint = fmt.Sprintf("%s has sign-in on, but %s has no auth: section; is it the config that lubo runs with?", *f.addr, path)
		return c, nil
	}
	tokenPath := filepath.Join(cfg.DataDir, auth.CLITokenFile)
	if abs, err := filepath.Abs(tokenPath); err == nil {
		tokenPath = abs
	}
	tok, err := auth.ReadCLIToken(tokenPath)
	if err != nil {
		return nil, tokenError(tokenPath, path, err)
	}
	if err := checkThisBox(c.addr); err != nil {
		return nil, err
	}
	c.token = tok
	return c, nil
}

// tokenError says which token file could not be read, why, and who can.
func tokenError(tokenPath, configPath string, err error) error {
	why := rootCause(err).Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why = "it does not exist; lubo run makes it when it starts with auth: in " + configPath + " (restart lubo after adding auth:)"
	case errors.Is(err, fs.ErrPermission):
		why = "permission denied"
	case strings.Contains(err.Error(), tokenPath):
		why = strings.TrimPrefix(err.Error(), tokenPath+": ")
	}
	return fmt.Errorf("sign-in is on in %s and the CLI token %s cannot be read: %s; run this as root or as the lubo user (sudo)", configPath, tokenPath, why)
}

// rootCause drops the path a *fs.PathError repeats.
func rootCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkThisBox refuses to send the token anywhere but this machine: it
// makes whoever reads the file admin of this box, not of another.
func checkThisBox(addr string) error {
	u, err := url.Parse(addr)
	if err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("-addr %q: want http://host:port of this box", addr)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err == nil {
		ip = ip.WithZone("").Unmap()
		if ip.IsLoopback() || isOwnAddr(ip) {
			return nil
		}
	}
	return fmt.Errorf("-addr %s is not this box: the CLI token is only sent to 127.0.0.1, localhost or one of this box's own addresses; run the command on the box itself", u.Host)
}

// isOwnAddr reports whether ip is on one of this machine's interfaces.
func isOwnAddr(ip netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if own, ok := netip.AddrFromSlice(n.IP); ok && own.Unmap() == ip {
			return true
		}
	}
	return false
}

// do sends a request to path under the daemon's address, with the token
// when there is one.
func (c *daemonConn) do(method, path, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, c.addr+path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	c.token.Authorize(req)
	return c.client.Do(req)
}

// explain401 prints, after a 401 the daemon gave a request without a
// token, how to send one.
func (c *daemonConn) explain401(resp *http.Response, stderr io.Writer) {
	if resp != nil && resp.StatusCode == http.StatusUnauthorized && c.token.IsZero() && c.hint != "" {
		fmt.Fprintln(stderr, "  "+c.hint)
	}
}

// daemonFlagsUsage explains -config for the verbs' usage texts.
const daemonFlagsUsage = `  With auth: in lubo's config, these send the CLI token from its data_dir
  (-config, default ` + "/etc/lubo/lubo.yaml" + `): run them as root or as the lubo user.
`
