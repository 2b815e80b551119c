package webhook_test

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient/webhook"
)

var (
	oldSecret = webhook.NewSecret()
	newSecret = webhook.NewSecret()
	at        = time.Unix(1_700_000_000, 0)
	eventBody = []byte(`{"id":"evt_1","seq":7,"type":"session.started","created_at":"2023-11-14T22:13:20.000Z","user_id":"u","test":true,"data":{"session":{"id":1}}}`)
)

func keys(t *testing.T, secrets ...string) [][]byte {
	t.Helper()
	k, err := webhook.ParseSecrets(secrets)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signed returns the headers of a delivery of body signed with secrets at time at.
func signed(t *testing.T, id string, when time.Time, body []byte, secrets ...string) http.Header {
	t.Helper()
	h := http.Header{}
	webhook.SetHeaders(h, keys(t, secrets...), id, when, body)
	return h
}

func verifierAt(now time.Time, secrets ...string) webhook.Verifier {
	return webhook.Verifier{Secrets: secrets, Now: func() time.Time { return now }}
}

func TestVerifyReturnsTheSignedEvent(t *testing.T) {
	ev, err := verifierAt(at, newSecret).Verify(signed(t, "evt_1", at, eventBody, newSecret), eventBody)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "evt_1" || ev.Seq != 7 || ev.Type != "session.started" || !ev.Test || ev.UserID != "u" ||
		!time.Time(ev.CreatedAt).Equal(at) || ev.Data == nil || ev.Data.Session == nil || ev.Data.Session.ID != 1 {
		t.Fatalf("decoded %+v", ev)
	}
}

func TestVerifyDuringARotationAcceptsEitherSecret(t *testing.T) {
	h := signed(t, "evt_1", at, eventBody, oldSecret, newSecret)
	if n := len(strings.Fields(h.Get(webhook.HeaderSignature))); n != 2 {
		t.Fatalf("%d signatures for two secrets", n)
	}
	for name, secrets := range map[string][]string{
		"only the old secret": {oldSecret}, "only the new secret": {newSecret}, "both": {newSecret, oldSecret},
	} {
		if _, err := verifierAt(at, secrets...).Verify(h, eventBody); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := verifierAt(at, webhook.NewSecret()).Verify(h, eventBody); !errors.Is(err, webhook.ErrNoSignature) {
		t.Fatalf("an unrelated secret: %v", err)
	}
}

func TestVerifyRefusesAnyChangeToWhatWasSigned(t *testing.T) {
	h := signed(t, "evt_1", at, eventBody, newSecret)
	tampered := map[string]func(http.Header, []byte) (http.Header, []byte){
		"the body": func(h http.Header, b []byte) (http.Header, []byte) {
			return h, bytes.Replace(b, []byte(`"seq":7`), []byte(`"seq":8`), 1)
		},
		"the id": func(h http.Header, b []byte) (http.Header, []byte) { h.Set(webhook.HeaderID, "evt_2"); return h, b },
		"the timestamp": func(h http.Header, b []byte) (http.Header, []byte) {
			h.Set(webhook.HeaderTimestamp, strconv.FormatInt(at.Unix()+1, 10))
			return h, b
		},
		"the signature, one bit": func(h http.Header, b []byte) (http.Header, []byte) {
			s := []byte(h.Get(webhook.HeaderSignature))
			s[5] ^= 1
			h.Set(webhook.HeaderSignature, string(s))
			return h, b
		},
		"a trailing space in the body": func(h http.Header, b []byte) (http.Header, []byte) { return h, append(b, ' ') },
	}
	for name, change := range tampered {
		hh, b := change(h.Clone(), append([]byte(nil), eventBody...))
		if _, err := verifierAt(at, newSecret).Verify(hh, b); !errors.Is(err, webhook.ErrNoSignature) {
			t.Errorf("changed %s: got %v, want ErrNoSignature", name, err)
		}
	}
}

func TestVerifyEnforcesTheTimestampTolerance(t *testing.T) {
	cases := []struct {
		name      string
		skew      time.Duration // now - signing time
		tolerance time.Duration
		want      error
	}{
		{"just signed", 0, 0, nil},
		{"five minutes late", 5 * time.Minute, 0, nil},
		{"five minutes and a second late", 5*time.Minute + time.Second, 0, webhook.ErrTooOld},
		{"five minutes and a second early", -5*time.Minute - time.Second, 0, webhook.ErrTooNew},
		{"an hour late with an hour's tolerance", time.Hour, time.Hour, nil},
		{"a minute late with 30 s tolerance", time.Minute, 30 * time.Second, webhook.ErrTooOld},
	}
	for _, c := range cases {
		v := verifierAt(at.Add(c.skew), newSecret)
		v.Tolerance = c.tolerance
		if _, err := v.Verify(signed(t, "evt_1", at, eventBody, newSecret), eventBody); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	// The package-level Verify reads the real clock with the default tolerance.
	if _, err := webhook.Verify([]string{newSecret}, signed(t, "evt_1", time.Now(), eventBody, newSecret), eventBody); err != nil {
		t.Fatalf("Verify of a fresh delivery: %v", err)
	}
	if _, err := webhook.Verify([]string{newSecret}, signed(t, "evt_1", time.Now().Add(-time.Hour), eventBody, newSecret), eventBody); !errors.Is(err, webhook.ErrTooOld) {
		t.Fatalf("Verify of an hour-old delivery: %v", err)
	}
}

func TestVerifyRefusesMalformedHeaders(t *testing.T) {
	good := signed(t, "evt_1", at, eventBody, newSecret)
	for _, name := range []string{webhook.HeaderID, webhook.HeaderTimestamp, webhook.HeaderSignature} {
		h := good.Clone()
		h.Del(name)
		if _, err := verifierAt(at, newSecret).Verify(h, eventBody); !errors.Is(err, webhook.ErrMissingHeaders) {
			t.Errorf("without %s: %v", name, err)
		}
	}
	for _, stamp := range []string{"+1700000000", " 1700000000", "1.7e9", "-1", "1700000000.0", "0x65", "99999999999999999999"} {
		h := good.Clone()
		h.Set(webhook.HeaderTimestamp, stamp)
		if _, err := verifierAt(at, newSecret).Verify(h, eventBody); !errors.Is(err, webhook.ErrTimestamp) {
			t.Errorf("timestamp %q: %v", stamp, err)
		}
	}
	for _, sig := range []string{"v1", "v1,", "v1,!!!", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", ","} {
		h := good.Clone()
		h.Set(webhook.HeaderSignature, sig)
		if _, err := verifierAt(at, newSecret).Verify(h, eventBody); !errors.Is(err, webhook.ErrNoSignature) {
			t.Errorf("signature %q: %v", sig, err)
		}
	}
}

func TestVerifyRefusesASignedBodyThatIsNotAnEvent(t *testing.T) {
	body := []byte(`not json`)
	if _, err := verifierAt(at, newSecret).Verify(signed(t, "evt_1", at, body, newSecret), body); !errors.Is(err, webhook.ErrPayload) {
		t.Fatalf("got %v", err)
	}
}

func TestSecretsAreCheckedWithoutBeingPrinted(t *testing.T) {
	short := "whsec_" + "c2hvcnQtc2VjcmV0" // "short-secret", 12 bytes
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", short, "whsec_not base64!!", "whsec_" + strings.Repeat("QUFB", 30)} {
		_, err := webhook.ParseSecret(s)
		if !errors.Is(err, webhook.ErrSecret) {
			t.Errorf("%q accepted (%v)", s, err)
			continue
		}
		if s != "" && strings.Contains(err.Error(), strings.TrimPrefix(s, "whsec_")) {
			t.Errorf("the error %q prints the secret", err)
		}
	}
	if _, err := verifierAt(at, short).Verify(signed(t, "evt_1", at, eventBody, newSecret), eventBody); !errors.Is(err, webhook.ErrSecret) {
		t.Fatalf("a verifier with a short secret: %v", err)
	}
	if _, err := verifierAt(at).Verify(signed(t, "evt_1", at, eventBody, newSecret), eventBody); !errors.Is(err, webhook.ErrNoSecrets) {
		t.Fatalf("a verifier without secrets: %v", err)
	}
}

func TestSecretsDecodeWithOrWithoutPadding(t *testing.T) {
	// The reference libraries' unpadded-secret case (python test_signature_verification_with_unpadded_secret).
	padded, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr==")
	if err != nil {
		t.Fatal(err)
	}
	unpadded, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(padded, unpadded) || len(padded) != 25 {
		t.Fatalf("padded %x, unpadded %x", padded, unpadded)
	}
	if a, b := webhook.NewSecret(), webhook.NewSecret(); a == b || !strings.HasPrefix(a, "whsec_") {
		t.Fatalf("NewSecret: %q, %q", a, b)
	} else if k, err := webhook.ParseSecret(a); err != nil || len(k) != 32 {
		t.Fatalf("NewSecret does not parse to 32 bytes: %v", err)
	}
}

// A Verifier of parsed keys judges as one of secrets does, header values
// given one by one, and keeps the tolerance.
func TestVerifyWithParsedKeysAndHeaderValues(t *testing.T) {
	h := signed(t, "evt_1", at, eventBody, oldSecret, newSecret)
	id, stamp, sig := h.Get(webhook.HeaderID), h.Get(webhook.HeaderTimestamp), h.Get(webhook.HeaderSignature)
	v := webhook.Verifier{Keys: keys(t, newSecret), Now: func() time.Time { return at }}
	ev, err := v.VerifyValues(id, stamp, sig, eventBody)
	if err != nil || ev.ID != "evt_1" {
		t.Fatalf("event %+v, error %v", ev, err)
	}
	if _, err := v.Verify(h, eventBody); err != nil {
		t.Fatalf("Verify with keys: %v", err)
	}
	if err := v.VerifySignatureValues(id, stamp, sig, append([]byte(nil), eventBody[1:]...)); !errors.Is(err, webhook.ErrNoSignature) {
		t.Fatalf("a changed body: %v", err)
	}
	other := webhook.Verifier{Keys: keys(t, webhook.NewSecret()), Now: v.Now}
	if err := other.VerifySignatureValues(id, stamp, sig, eventBody); !errors.Is(err, webhook.ErrNoSignature) {
		t.Fatalf("an unrelated key: %v", err)
	}
	late := webhook.Verifier{Keys: v.Keys, Now: func() time.Time { return at.Add(time.Hour) }}
	if err := late.VerifySignatureValues(id, stamp, sig, eventBody); !errors.Is(err, webhook.ErrTooOld) {
		t.Fatalf("an hour late: %v", err)
	}
	if err := v.VerifySignatureValues(id, "", sig, eventBody); !errors.Is(err, webhook.ErrMissingHeaders) {
		t.Fatalf("no timestamp: %v", err)
	}
	// Keys win over Secrets: a bad secret beside good keys is not parsed.
	both := webhook.Verifier{Keys: v.Keys, Secrets: []string{"not a secret"}, Now: v.Now}
	if err := both.VerifySignatureValues(id, stamp, sig, eventBody); err != nil {
		t.Fatalf("keys beside a bad secret: %v", err)
	}
}
