package gather

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
)

// MAC returns the hardware address of iface, or when iface is "" of the
// interface that carries the default route (read from /proc/net/route).
func MAC(iface string) (string, error) {
	if iface == "" {
		var err error
		if iface, err = defaultRouteInterface("/proc/net/route"); err != nil {
			return "", err
		}
	}
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return "", fmt.Errorf("network interface %q: %w", iface, err)
	}
	if len(ifi.HardwareAddr) == 0 {
		return "", fmt.Errorf("network interface %q has no MAC address; set cloud.yunlubo.mac", iface)
	}
	return ifi.HardwareAddr.String(), nil
}

// defaultRouteInterface reads the interface of the 0.0.0.0/0 route.
func defaultRouteInterface(routes string) (string, error) {
	f, err := os.Open(routes)
	if err != nil {
		return "", fmt.Errorf("finding the default route: %w; set cloud.yunlubo.interface or cloud.yunlubo.mac", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[1] == "00000000" {
			return fields[0], nil
		}
	}
	return "", fmt.Errorf("no default route; set cloud.yunlubo.interface or cloud.yunlubo.mac")
}
