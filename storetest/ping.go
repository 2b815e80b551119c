package storetest

import "github.com/coordapi/coord"

func testPingClose(e *env) {
	if err := e.s.Ping(e.ctx); err != nil {
		e.Fatalf("Ping: %v", err)
	}
	if err := e.s.Close(); err != nil {
		e.Fatalf("Close: %v", err)
	}
	e.wantCode(e.s.Ping(e.ctx), coord.EUnavailable)
	_, err := e.s.Session(e.ctx, coord.SessionRef{UserID: "00000000-0000-0000-0000-000000000000", LocationID: locApp, ID: 1})
	e.wantCode(err, coord.EUnavailable)
}
