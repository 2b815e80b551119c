package e2e

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/internal/pgtest"
)

// postgresSchema returns a DSN for a fresh schema, dropped at cleanup.
func postgresSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(apitest.PostgresEnv)
	if dsn == "" {
		t.Skipf("multi-replica tests need %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", apitest.PostgresEnv)
	}
	schemaDSN, drop, err := pgtest.NewSchema(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	return schemaDSN
}

// proxiedDSN returns dsn rewritten to go through a TCP proxy the test can cut.
func proxiedDSN(t *testing.T, dsn string) (string, *tcpProxy) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newTCPProxy(t, u.Host)
	u.Host = p.Addr()
	return u.String(), p
}
