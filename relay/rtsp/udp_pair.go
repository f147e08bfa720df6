package rtsp

import (
	"fmt"
	"net"
	"strconv"
)

// listenUDPPair opens the RTP (even) and RTCP (RTP+1) sockets of the server
// on host. With rtpPort 0 it looks for a free pair, as RTP wants
// consecutive ports and the OS hands out single ones.
func listenUDPPair(host string, rtpPort int) (rtp, rtcp *net.UDPConn, err error) {
	if rtpPort != 0 {
		if rtpPort%2 != 0 {
			return nil, nil, fmt.Errorf("UDP RTP port %d: must be even (RTCP uses the next one)", rtpPort)
		}
		return openPair(host, rtpPort)
	}
	for range 50 {
		a, err := udpAddr(host, 0)
		if err != nil {
			return nil, nil, err
		}
		probe, err := net.ListenUDP("udp", a)
		if err != nil {
			return nil, nil, err
		}
		p := probe.LocalAddr().(*net.UDPAddr).Port
		probe.Close()
		if p%2 != 0 {
			p--
		}
		if p < 1024 {
			continue
		}
		if rtp, rtcp, err = openPair(host, p); err == nil {
			return rtp, rtcp, nil
		}
	}
	return nil, nil, fmt.Errorf("no free pair of consecutive UDP ports on %q", host)
}

func openPair(host string, port int) (*net.UDPConn, *net.UDPConn, error) {
	a, err := udpAddr(host, port)
	if err != nil {
		return nil, nil, err
	}
	b, err := udpAddr(host, port+1)
	if err != nil {
		return nil, nil, err
	}
	rtp, err := net.ListenUDP("udp", a)
	if err != nil {
		return nil, nil, err
	}
	rtcp, err := net.ListenUDP("udp", b)
	if err != nil {
		rtp.Close()
		return nil, nil, err
	}
	return rtp, rtcp, nil
}

func udpAddr(host string, port int) (*net.UDPAddr, error) {
	return net.ResolveUDPAddr("udp", net.JoinHostPort(host, strconv.Itoa(port)))
}
