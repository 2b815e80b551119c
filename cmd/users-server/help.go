package main

import (
	"github.com/jessevdk/go-flags"
)

// tidyServerOptions makes what the generated server's flags say (in --help)
// and do agree with this binary, whose generated code is not ours to edit:
// the port has a fixed default, only http and https listen (so a unix
// socket path would never be used), https starts only with a
// certificate, and the connection limits suit a server on the internet
// (the generated defaults are 1 MB of headers, 16 times what a request of
// this API needs, no connection cap, and a "cleanup timeout" that is the
// idle keep-alive timeout).
func tidyServerOptions(p *flags.Parser) {
	describe := func(name, description string) *flags.Option {
		o := p.FindOptionByLongName(name)
		if o != nil && description != "" {
			o.Description = description
		}
		return o
	}
	describe("port", "the port to listen on for http")
	describe("tls-port", "the port to listen on for https (default: one the system picks)")
	describe("host", "the address to listen on")
	describe("tls-host", "the address to listen on for https (default: --host)")
	if o := describe("scheme", "the listeners: http, https or both (repeat the flag, or COORD_SCHEME=http,https); "+
		"by default http, and https too when a TLS certificate is set"); o != nil {
		o.Choices = []string{"http", "https"}
	}
	if o := p.FindOptionByLongName("socket-path"); o != nil {
		o.Hidden = true
	}
	limit := func(name, def, description string) {
		if o := describe(name, description); o != nil {
			o.Default = []string{def}
		}
	}
	limit("max-header-size", "65536", "largest request line and headers accepted, in bytes (64 KiB; units such as 32kB are decimal); larger ones get 431")
	limit("listen-limit", "16384", "most connections open at once, held long-polls included; more wait to be accepted (0: no limit)")
	limit("cleanup-timeout", "60s", "idle timeout: how long a keep-alive connection may wait for its next request")
}
