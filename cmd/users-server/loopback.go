package main

import (
	"net"
	"slices"

	"github.com/coordapi/coord/restapi"
)

// loopbackOnly reports whether every TCP listener s will open is on a
// loopback address. A host name other than localhost counts as public: what
// it resolves to is not this process's to promise.
func loopbackOnly(s *restapi.Server) bool {
	listeners := s.EnabledListeners
	if len(listeners) == 0 {
		listeners = []string{"http"}
	}
	if slices.Contains(listeners, "http") && !isLoopback(s.Host) {
		return false
	}
	if slices.Contains(listeners, "https") {
		host := s.TLSHost
		if host == "" {
			host = s.Host
		}
		return isLoopback(host)
	}
	return true
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
