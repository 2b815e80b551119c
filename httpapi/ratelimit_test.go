package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/apitest"
)

// newAlphaServer starts the two-partner catalog with settings (YAML lines
// at the partner's indentation) added to partner alpha.
func newAlphaServer(t *testing.T, backend, settings string) *apitest.Server {
	t.Helper()
	doc := fmt.Sprintf(userCatalog, alphaCallback, "")
	doc = strings.Replace(doc, "    server_tokens: [alpha-server-token]\n", "    server_tokens: [alpha-server-token]\n"+settings, 1)
	cat, err := catalog.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("test catalog: %v", err)
	}
	return apitest.New(t, backend, apitest.Options{Catalog: cat})
}

// secOpNamed is the operation of the security table with that id.
func secOpNamed(t *testing.T, id string) secOp {
	t.Helper()
	for _, op := range secOps {
		if op.id == id {
			return op
		}
	}
	t.Fatalf("no operation %s in the security table", id)
	return secOp{}
}

// TestEveryOperationIsRateLimitedPerAccessKey: with a burst of 3 and one
// request a second, each operation gets three requests through and the
// fourth is 429 rate_limited with Retry-After: 1, in the Error shape the
// spec declares; another partner's key is not affected; the refused
// requests change nothing; a second later the key works again.
func TestEveryOperationIsRateLimitedPerAccessKey(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newAlphaServer(t, backend, "    rate_limit: {requests_per_second: 1, burst: 3}\n")
		victim := secUser(t, s, alphaKey, "limited@example.com")
		s.Clock.Advance(time.Hour)
		gate := start(t, s, victim, gateLotB)
		s.Clock.Advance(time.Hour) // refill after the set-up's requests
		good := secCreds{key: alphaKey, bearer: victim.Token, jwt: victim.Token}
		refused := 0
		for _, op := range secOps {
			c := good
			if op.creds == keyAndSrv {
				c.bearer = alphaServer
			}
			s.Clock.Advance(3 * time.Second)
			for i := range 3 {
				if r := sendRaw(t, secRequest(t, s, op, c, gate.ID, gate.ID)); r.status == http.StatusTooManyRequests {
					t.Fatalf("%s: request %d of a burst of 3 refused: %s", op.id, i+1, r.body)
				}
			}
			before := snapshot(t, s, victim)
			r := sendRaw(t, secRequest(t, s, op, c, gate.ID, gate.ID))
			refused++
			if code := wantErrorShape(t, r); r.status != http.StatusTooManyRequests || code != httpapi.ERateLimited {
				t.Errorf("%s: the 4th request got %d %s, want 429 rate_limited", op.id, r.status, r.body)
			}
			if got := r.header.Get("Retry-After"); got != "1" {
				t.Errorf("%s: Retry-After %q, want 1", op.id, got)
			}
			if after := snapshot(t, s, victim); after != before {
				t.Errorf("%s: a refused request changed the database", op.id)
			}
			other := sendRaw(t, secRequest(t, s, secOpNamed(t, "list_systems"), secCreds{key: betaKey}, 0, 0))
			if other.status != http.StatusOK {
				t.Errorf("%s: another partner's key got %d %s while alpha's was limited", op.id, other.status, other.body)
			}
		}
		s.Clock.Advance(time.Second)
		if r := sendRaw(t, secRequest(t, s, secOpNamed(t, "list_systems"), good, 0, 0)); r.status != http.StatusOK {
			t.Errorf("a second later: %d %s", r.status, r.body)
		}
		t.Logf("%d operations each refused past their burst", refused)
	})
}

// TestUnknownAccessKeysAreNotRateLimited: requests with unknown keys are
// 401, never 429 (they hold no bucket, so they cannot fill the table or
// exhaust a partner's), and they do not spend a real key's tokens.
func TestUnknownAccessKeysAreNotRateLimited(t *testing.T) {
	s := newAlphaServer(t, "sqlite", "    rate_limit: {requests_per_second: 1, burst: 3}\n")
	op := secOpNamed(t, "list_systems") // the access key alone
	for i := range 50 {
		r := sendRaw(t, secRequest(t, s, op, secCreds{key: fmt.Sprintf("%s-%d", alphaKey, i)}, 0, 0))
		if code := wantErrorShape(t, r); r.status != http.StatusUnauthorized || code != coord.EUnauthorized {
			t.Fatalf("unknown key %d: %d %s, want 401", i, r.status, r.body)
		}
	}
	for i := range 3 {
		if r := sendRaw(t, secRequest(t, s, op, secCreds{key: alphaKey}, 0, 0)); r.status != http.StatusOK {
			t.Fatalf("alpha's own request %d after 50 unknown keys: %d %s", i+1, r.status, r.body)
		}
	}
}

// TestSandboxFalseClosesEveryTestingOperation: a partner with sandbox:
// false gets 403 forbidden on every /testing operation, even for its test
// users with valid credentials, and nothing changes; its other operations
// and the other partner's sandbox still work.
func TestSandboxFalseClosesEveryTestingOperation(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := newAlphaServer(t, backend, "    sandbox: false\n")
		ctx := context.Background()
		u, err := s.Store.UpsertUser(ctx, coord.UserProfile{PartnerID: "alpha", ExternalUID: "sandboxed", Email: "sandboxed@example.com", Name: "Sandboxed", Test: true})
		if err != nil {
			t.Fatal(err)
		}
		jwt, err := s.Tokens.Mint(u)
		if err != nil {
			t.Fatal(err)
		}
		tester := &apitest.User{User: u, Token: jwt, Auth: apitest.UserAuth(alphaKey, jwt)}
		putPlateFor(t, s, tester.Auth)
		s.Link(t, tester, gatesSystem)
		pending := start(t, s, tester, gateLotB) // a non-testing operation still works
		before := snapshot(t, s, tester)
		closed := 0
		for _, op := range secOps {
			if !strings.HasPrefix(op.path, "/testing/") {
				continue
			}
			closed++
			creds := secCreds{key: alphaKey, bearer: jwt}
			if op.creds == keyAndSrv {
				creds.bearer = alphaServer
			}
			r := sendRaw(t, secRequest(t, s, op, creds, 0, pending.ID))
			if code := wantErrorShape(t, r); r.status != http.StatusForbidden || code != coord.EForbidden {
				t.Errorf("%s: got %d %s, want 403 forbidden", op.id, r.status, r.body)
			}
		}
		if closed != 4 {
			t.Fatalf("%d testing operations in the table, want 4", closed)
		}
		if after := snapshot(t, s, tester); after != before {
			t.Fatalf("a closed testing operation changed data:\nbefore %s\nafter  %s", before, after)
		}
		beta := secOpNamed(t, "create_test_jwt") // for the partner that keeps its sandbox
		if r := sendRaw(t, secRequest(t, s, beta, secCreds{key: betaKey}, 0, 0)); r.status != http.StatusOK {
			t.Errorf("beta's sandbox: %d %s", r.status, r.body)
		}
	})
}

// TestRefusedRequestsSpendNoTokens: past the burst, however many requests
// are refused, the next token arrives on time and lets exactly one
// through; Retry-After is the wait for that token, rounded up to seconds.
func TestRefusedRequestsSpendNoTokens(t *testing.T) {
	s := newAlphaServer(t, "sqlite", "    rate_limit: {requests_per_second: 0.25, burst: 2}\n")
	s.Clock.Advance(time.Hour)
	op := secOpNamed(t, "list_systems")
	send := func() rawResponse { return sendRaw(t, secRequest(t, s, op, secCreds{key: alphaKey}, 0, 0)) }
	for i := range 2 {
		if r := send(); r.status != http.StatusOK {
			t.Fatalf("request %d of a burst of 2: %d %s", i+1, r.status, r.body)
		}
	}
	for i := range 10 {
		r := send()
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("refusal %d: %d %s", i+1, r.status, r.body)
		}
		if got := r.header.Get("Retry-After"); got != "4" {
			t.Errorf("refusal %d: Retry-After %q, want 4 (one token every 4 s)", i+1, got)
		}
	}
	s.Clock.Advance(3 * time.Second)
	if r := send(); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Errorf("3 s later: %d, Retry-After %q; want 429 with 1", r.status, r.header.Get("Retry-After"))
	}
	s.Clock.Advance(time.Second)
	if r := send(); r.status != http.StatusOK {
		t.Errorf("4 s later (one token back, the refusals spent none): %d %s", r.status, r.body)
	}
	if r := send(); r.status != http.StatusTooManyRequests {
		t.Errorf("the token after it: %d, want 429", r.status)
	}
}
