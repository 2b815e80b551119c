package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coordapi/coord/coordclient/webhook"
)

// A receiver mounts Handler with the endpoint's secret from the catalog.
// Deliveries come at least once and in no particular order: remember the
// event ids seen, and compare seq numbers.
func ExampleHandler() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // from the partner's catalog entry
	seen := map[string]bool{}
	receiver := webhook.Handler(webhook.Verifier{Secrets: []string{secret}}, func(_ context.Context, ev *webhook.Event) error {
		if seen[ev.ID] {
			return nil // a redelivery
		}
		seen[ev.ID] = true
		if ev.Data == nil || ev.Data.Session == nil {
			return nil // a user event, or a webhook.ping
		}
		fmt.Println(ev.Type, ev.Seq, ev.Data.Session.ID, ev.Data.Session.Status)
		return nil // 204; an error would answer 500, and the server would retry
	})

	// What the server sends, signed as it signs it.
	body := `{"id":"evt_9","seq":9,"type":"session.started","created_at":"2026-01-01T00:00:00.000Z","test":true,"data":{"session":{"id":42,"status":"active"}}}`
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/hooks/coord", strings.NewReader(body))
	webhook.SetHeaders(r.Header, [][]byte{key}, "evt_9", time.Now(), []byte(body))
	w := httptest.NewRecorder()
	receiver.ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// session.started 9 42 active
	// 204
}
