package webhook_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient/webhook"
)

// FuzzVerify feeds Verify hostile headers and bodies: it must never panic,
// and it may accept only what carries the real signature.
//
//	go test ./coordclient/webhook -run '^$' -fuzz FuzzVerify -fuzztime 30s
func FuzzVerify(f *testing.F) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	f.Add("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 2432232314}`))
	f.Add("evt_1", "1614265330", "v1, v1,,, v2,abc v1a,xyz", []byte(`{"id":"evt_1"}`))
	f.Add("a.b", "+1614265330", "v1,"+strings.Repeat("A", 44), []byte{})
	f.Add("", "", "", []byte(nil))
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, stamp, sigs string, body []byte) {
		h := http.Header{}
		h.Set(webhook.HeaderID, id)
		h.Set(webhook.HeaderTimestamp, stamp)
		h.Set(webhook.HeaderSignature, sigs)
		v := webhook.Verifier{Secrets: []string{secret}, Tolerance: 100 * 365 * 24 * time.Hour,
			Now: func() time.Time { return time.Unix(1614265330, 0) }}
		if err := v.VerifySignature(h, body); err != nil {
			return
		}
		at := parseUnix(t, h.Get(webhook.HeaderTimestamp))
		want := webhook.Sign([][]byte{key}, h.Get(webhook.HeaderID), at, body)
		if !strings.Contains(" "+strings.Join(strings.Fields(sigs), " ")+" ", " "+want+" ") {
			t.Fatalf("accepted %q for id %q, timestamp %q without the signature %s", sigs, id, stamp, want)
		}
	})
}

func parseUnix(t *testing.T, s string) time.Time {
	t.Helper()
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("an accepted timestamp %q is not digits", s)
		}
		n = n*10 + int64(c-'0')
	}
	return time.Unix(n, 0)
}
