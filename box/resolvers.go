package box

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/lubo-edge/lubo/cloud/setup"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/relay/sources"
)

// addResolvers makes the configured clouds' camera schemes openable:
// ezviz:// through the Ezviz live address, tplink:// through TUMS's relay
// address. A cloud that is not configured leaves its scheme refused with a
// message naming the missing section.
func addResolvers(reg *sources.Registry, c configs.Cloud, log *slog.Logger) error {
	var errs []error
	opts := setup.Options{Logger: log}
	if c.Ezviz != nil {
		client, err := setup.Ezviz(c.Ezviz, opts)
		if err != nil {
			errs = append(errs, err)
		} else {
			reg.SetResolver("ezviz", sources.ResolverFunc(func(ctx context.Context, raw string) (sources.Address, error) {
				a, err := client.Resolve(ctx, raw)
				if err != nil {
					return sources.Address{}, err
				}
				return sources.Address{URL: a.URL, Expires: a.ExpiresAt}, nil
			}))
		}
	}
	if c.TPLink != nil {
		client, err := setup.TPLink(c.TPLink, opts)
		if err != nil {
			errs = append(errs, err)
		} else {
			// TUMS hands out the relay of its private protocol for real
			// devices; lubo pulls the address when it is rtsp, rtmp or
			// HTTP-FLV and says so plainly otherwise (openDirect).
			reg.SetResolver("tplink", sources.ResolverFunc(func(ctx context.Context, raw string) (sources.Address, error) {
				st, err := client.ResolveURI(ctx, raw)
				if err != nil {
					return sources.Address{}, err
				}
				if strings.Contains(st.URL, "/relayservice") {
					return sources.Address{}, fmt.Errorf("TP-LINK answered with its private relay (protocol %s), which the open API does not document and lubo cannot pull; add the camera by its RTSP address on the school LAN instead", st.RelayVersion)
				}
				return sources.Address{URL: st.URL, Expires: st.Expires}, nil
			}))
		}
	}
	return errors.Join(errs...)
}
