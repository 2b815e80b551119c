package bench

import (
	"bytes"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/coordclient/webhook"
)

// The scenario's catalog is the demo's with one endpoint at the receiver,
// and the receiver accepts what it signs, refuses the rest, and measures
// the lag from created_at.
func TestWebhookCatalogAndReceiver(t *testing.T) {
	recv, err := newHookReceiver()
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	s := &Suite{Config: Config{Dir: t.TempDir()}}
	path, err := s.hookCatalog(recv, "/hook")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := cat.Partners[0].Webhook("bench")
	if !ok || w.URL != recv.URL+"/hook" || len(cat.Systems) != len(catalog.Demo().Systems) {
		t.Fatalf("catalog: %+v", cat.Partners[0])
	}
	body := []byte(`{"id":"evt_1","seq":1,"type":"session.created","created_at":"` + time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano) + `","test":true}`)
	post := func(keys [][]byte) int {
		req, _ := http.NewRequest("POST", recv.URL+"/hook", bytes.NewReader(body))
		webhook.SetHeaders(req.Header, keys, "evt_1", time.Now(), body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(w.Keys); got != http.StatusNoContent {
		t.Fatalf("a signed delivery: %d", got)
	}
	if got := post([][]byte{[]byte("another key, long enough to sign")}); got != http.StatusUnauthorized {
		t.Fatalf("a badly signed one: %d", got)
	}
	p50, _, n, invalid := recv.lagQuantiles()
	if n != 1 || invalid != 1 || p50 < time.Second || p50 > 5*time.Second {
		t.Fatalf("lag %v of %d, %d invalid", p50, n, invalid)
	}
	_ = os.Remove(path)
}
