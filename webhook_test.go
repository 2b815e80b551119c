package coord_test

import (
	"testing"

	"github.com/coordapi/coord"
)

func TestAWebhooksFingerprintChangesWithItsConfiguration(t *testing.T) {
	base := coord.Webhook{ID: "w", URL: "https://h.example/x", Keys: [][]byte{[]byte("key-one-of-24-bytes-long")}, Events: []string{"session.ended"}}
	changed := map[string]coord.Webhook{
		"another URL":         {ID: "w", URL: "https://h.example/y", Keys: base.Keys, Events: base.Events},
		"another key":         {ID: "w", URL: base.URL, Keys: [][]byte{[]byte("key-two-of-24-bytes-long")}, Events: base.Events},
		"a key added":         {ID: "w", URL: base.URL, Keys: [][]byte{base.Keys[0], []byte("key-two-of-24-bytes-long")}, Events: base.Events},
		"all events":          {ID: "w", URL: base.URL, Keys: base.Keys},
		"a key read as event": {ID: "w", URL: base.URL, Events: []string{"key-one-of-24-bytes-long", "session.ended"}},
	}
	fp := base.Fingerprint()
	if len(fp) != 32 {
		t.Fatalf("fingerprint %q", fp)
	}
	same := base
	same.ID = "renamed" // the id names the endpoint; it is not its configuration
	if same.Fingerprint() != fp {
		t.Fatal("the fingerprint depends on the id")
	}
	for name, w := range changed {
		if w.Fingerprint() == fp {
			t.Errorf("%s: same fingerprint", name)
		}
	}
	if !base.Wants("session.ended") || base.Wants("session.started") || !(&coord.Webhook{}).Wants("anything") {
		t.Fatal("Wants")
	}
}
