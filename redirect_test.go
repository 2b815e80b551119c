package coord_test

import (
	"testing"

	"github.com/coordapi/coord"
)

func TestRedirectURIsMustStartWithAnAllowedPrefixAndBeSafe(t *testing.T) {
	p := &coord.Partner{RedirectURIPrefixes: []string{"https://app.example.com/callback", "http://localhost:3000/"}}
	tests := []struct {
		uri   string
		allow bool
	}{
		{"https://app.example.com/callback", true},
		{"https://app.example.com/callback?from=app", true},
		{"https://app.example.com/callback/done", true},
		{"http://localhost:3000/linked", true},
		{"https://app.example.com/other", false},
		{"https://app.example.com.evil.test/callback", false},
		{"http://app.example.com/callback", false},
		{"https://app.example.com/callback/../admin", false},
		{"https://app.example.com/callback/%2e%2E/admin", false},
		{"https://app.example.com/callback/./x", false},
		{"https://app.example.com/callback\\@evil.test", false},
		{"https://app.example.com/callback\t", false},
		{"https://app.example.com/callback\n", false},
		{"https://app.example.com/callback x", false},
		{"https://app.example.com/callback#frag", false},
		{"https://app.example.com/callback%zz", false},
		{"https://user@app.example.com/callback", false},
		{"javascript:alert(1)//https://app.example.com/callback", false},
		{"//app.example.com/callback", false},
		{"/callback", false},
		{"", false},
		// Prefixes match on path-segment boundaries, and no path segment is empty.
		{"https://app.example.com/callbackevil", false},
		{"https://app.example.com/callback.evil.com", false},
		{"https://app.example.com/callback-x", false},
		{"https://app.example.com/callback%2fx", false},
		{"https://app.example.com/callback;x", false},
		{"https://app.example.com/callback/", true},
		{"https://app.example.com/callback?", true},
		{"http://localhost:3000//evil.com", false},
		{"http://localhost:3000/a//evil.com", false},
		{"https://app.example.com/callback//evil.com", false},
		{"http://localhost:3000/linked/", true},
	}
	for _, tc := range tests {
		if got := p.AllowsRedirect(tc.uri); got != tc.allow {
			t.Errorf("AllowsRedirect(%q) = %v, want %v", tc.uri, got, tc.allow)
		}
	}
	if (&coord.Partner{}).AllowsRedirect("https://app.example.com/callback") {
		t.Error("a partner without prefixes allows a redirect")
	}
}
