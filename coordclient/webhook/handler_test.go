package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient/webhook"
)

func TestHandlerAnswersBySignature(t *testing.T) {
	var got []*webhook.Event
	fail := false
	h := webhook.Handler(webhook.Verifier{Secrets: []string{newSecret}}, func(_ context.Context, ev *webhook.Event) error {
		if fail {
			return errors.New("database down")
		}
		got = append(got, ev)
		return nil
	})
	post := func(header http.Header, body []byte) int {
		r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
		for k, v := range header {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	now := time.Now()
	if code := post(signed(t, "evt_1", now, eventBody, newSecret), eventBody); code != http.StatusNoContent {
		t.Fatalf("a good delivery: %d", code)
	}
	if len(got) != 1 || got[0].ID != "evt_1" {
		t.Fatalf("handled %v", got)
	}
	cases := []struct {
		name   string
		header http.Header
		body   []byte
		want   int
	}{
		{"signed with another secret", signed(t, "evt_1", now, eventBody, webhook.NewSecret()), eventBody, http.StatusUnauthorized},
		{"unsigned", http.Header{}, eventBody, http.StatusUnauthorized},
		{"an hour old", signed(t, "evt_1", now.Add(-time.Hour), eventBody, newSecret), eventBody, http.StatusUnauthorized},
		{"signed but not an event", signed(t, "evt_1", now, []byte("[]"), newSecret), []byte("[]"), http.StatusBadRequest},
		{"over a MiB", http.Header{}, make([]byte, webhook.MaxBodyBytes+1), http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		if code := post(c.header, c.body); code != c.want {
			t.Errorf("%s: %d, want %d", c.name, code, c.want)
		}
	}
	fail = true
	if code := post(signed(t, "evt_2", now, eventBody, newSecret), eventBody); code != http.StatusInternalServerError {
		t.Fatalf("a handler error must ask for a redelivery: %d", code)
	}
	if len(got) != 1 {
		t.Fatalf("refused deliveries reached the handler: %d", len(got))
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/hook", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
		t.Fatalf("GET: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}

	misconfigured := webhook.Handler(webhook.Verifier{Secrets: []string{"whsec_short"}}, func(context.Context, *webhook.Event) error { return nil })
	w = httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(eventBody))
	for k, v := range signed(t, "evt_1", now, eventBody, newSecret) {
		r.Header[k] = v
	}
	misconfigured.ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("a receiver with a bad secret must not drop deliveries as 4xx: %d", w.Code)
	}
}
