package catalog_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/coordclient/webhook"
)

// The Standard Webhooks reference secret (24 bytes) and a second one.
const (
	hookSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	hookSecret2 = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
)

// withWebhooks is the valid catalog with two endpoints for p and a partner q without any.
var withWebhooks = strings.Replace(valid, "    redirect_uri_prefixes: [https://app.example.com/cb]\n", `    webhooks:
      - id: backend
        url: https://hooks.example.com/coord?tenant=7
        secrets: [`+hookSecret+`, `+hookSecret2+`]
        events: [session.started, session.ended]
      - id: audit
        url: http://127.0.0.1:3000/hook
        secrets: [`+hookSecret2+`]
  - id: q
    access_keys: [key-87654321]
`, 1)

func TestWebhooksLoadWithDecodedSecrets(t *testing.T) {
	c, err := catalog.Parse([]byte(withWebhooks))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.Partner("p")
	if len(p.Webhooks) != 2 {
		t.Fatalf("%d webhooks", len(p.Webhooks))
	}
	backend, ok := p.Webhook("backend")
	if !ok || backend.URL != "https://hooks.example.com/coord?tenant=7" || len(backend.Keys) != 2 {
		t.Fatalf("backend: %+v", backend)
	}
	want, _ := webhook.ParseSecret(hookSecret)
	if !bytes.Equal(backend.Keys[0], want) {
		t.Fatalf("the first key is not the first secret decoded")
	}
	if !backend.Wants("session.ended") || backend.Wants("session.created") {
		t.Fatalf("backend's event filter: %v", backend.Events)
	}
	audit, _ := p.Webhook("audit")
	if !audit.Wants("session.created") || !audit.Wants("user.account_linked") {
		t.Fatalf("no events listed must mean all of them")
	}
	if q, _ := c.Partner("q"); len(q.Webhooks) != 0 {
		t.Fatalf("q has webhooks: %v", q.Webhooks)
	}
	if _, ok := p.Webhook("nope"); ok {
		t.Fatal("an unknown webhook id resolved")
	}
}

func TestParseRejectsBadWebhooks(t *testing.T) {
	if _, err := catalog.Parse([]byte(withWebhooks)); err != nil {
		t.Fatalf("valid catalog rejected: %v", err)
	}
	tests := []struct{ name, from, to, want string }{
		{"a URL that is not http", "https://hooks.example.com", "ftp://hooks.example.com", "must be http or https"},
		{"a relative URL", "https://hooks.example.com/coord?tenant=7", "/coord", "must be http or https"},
		{"a URL without a host", "https://hooks.example.com/coord?tenant=7", "https:///coord", "must have a host"},
		{"a URL with a password", "https://hooks.example.com", "https://u:hunter2@hooks.example.com", "must not carry user info"},
		{"no URL", "url: http://127.0.0.1:3000/hook", "url: \"\"", "not a URL"},
		{"a secret without the whsec_ prefix", "[" + hookSecret + ",", "[MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,", "secrets[0]: webhook secret: must start with whsec_"},
		{"a secret under 24 bytes", "[" + hookSecret2 + "]", "[whsec_c2hvcnQtc2VjcmV0]", "secrets[0]: webhook secret: 12 bytes decoded, want 24 to 64"},
		{"a secret that is not base64", "[" + hookSecret2 + "]", "[whsec_not-base64-at-all-not-base64!!]", "not base64"},
		{"no secrets", "secrets: [" + hookSecret2 + "]", "secrets: []", "at least one secret"},
		{"an unknown event type", "session.ended]", "session.endd]", `unknown event type "session.endd"`},
		{"a duplicate id", "id: audit", "id: backend", "duplicate webhook id"},
		{"an id outside the path pattern", "id: audit", "id: \"a/b\"", "id must match"},
		{"no id", "id: audit", "id: \"\"", `partners[0] "p" webhooks[1]: id is required`},
		{"an unknown field", "events: [session.started", "event: [session.started", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(withWebhooks, tt.from, tt.to, 1)
			if doc == withWebhooks {
				t.Fatalf("the replacement of %q changed nothing", tt.from)
			}
			_, err := catalog.Parse([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if msg := err.Error(); strings.Contains(msg, "hunter2") || strings.Contains(msg, "c2hvcnQtc2VjcmV0") ||
				strings.Contains(msg, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") {
				t.Fatalf("the error prints a secret: %s", msg)
			}
			if strings.Count(err.Error(), "\n") != 0 && tt.name != "an unknown field" {
				t.Fatalf("one problem, several lines: %q", err)
			}
		})
	}
}

func TestWebhookIDsAreUniqueAcrossPartners(t *testing.T) {
	doc := strings.Replace(withWebhooks, "    access_keys: [key-87654321]\n", `    access_keys: [key-87654321]
    webhooks:
      - {id: audit, url: "https://q.example.com/h", secrets: [`+hookSecret+`]}
`, 1)
	_, err := catalog.Parse([]byte(doc))
	if err == nil || !strings.Contains(err.Error(), `partners[1] "q" webhooks[0] "audit": duplicate webhook id`) {
		t.Fatalf("got %v", err)
	}
}
