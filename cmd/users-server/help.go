package main

import (
	"github.com/jessevdk/go-flags"
)

// tidyServerOptions makes what the generated server's flags say (in --help)
// and do agree with this binary, whose generated code is not ours to edit:
// the port has a fixed default, only http and https listen (so a unix
// socket path would never be used), and https starts only with a
// certificate.
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
}
