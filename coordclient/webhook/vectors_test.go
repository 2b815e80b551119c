package webhook_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient/webhook"
)

// vector is one case of testdata/standard-webhooks-vectors.json, taken from
// the Standard Webhooks reference libraries (the file names its source).
type vector struct {
	Name      string `json:"name"`
	Secret    string `json:"secret"`
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
	Valid     bool   `json:"valid"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/standard-webhooks-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Source  string   `json:"source"`
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if file.Source == "" || len(file.Vectors) == 0 {
		t.Fatal("the vectors file has no source or no vectors")
	}
	return file.Vectors
}

func TestSignReproducesTheSpecificationsSignatures(t *testing.T) {
	signed := 0
	for _, v := range loadVectors(t) {
		if !v.Valid || len(v.Signature) != len("v1,")+44 { // one valid signature: Sign must produce it
			continue
		}
		key, err := webhook.ParseSecret(v.Secret)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if got := webhook.Sign([][]byte{key}, v.ID, time.Unix(v.Timestamp, 0), []byte(v.Payload)); got != v.Signature {
			t.Errorf("%s: signed %s, the specification says %s", v.Name, got, v.Signature)
		}
		signed++
	}
	if signed < 2 {
		t.Fatalf("only %d signing vectors", signed)
	}
}

func TestVerifyJudgesTheSpecificationsVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			h := http.Header{}
			h.Set(webhook.HeaderID, v.ID)
			h.Set(webhook.HeaderTimestamp, strconv.FormatInt(v.Timestamp, 10))
			h.Set(webhook.HeaderSignature, v.Signature)
			verifier := webhook.Verifier{Secrets: []string{v.Secret}, Now: func() time.Time { return time.Unix(v.Timestamp+10, 0) }}
			err := verifier.VerifySignature(h, []byte(v.Payload))
			switch {
			case v.Valid && err != nil:
				t.Fatalf("a valid vector was refused: %v", err)
			case !v.Valid && !errors.Is(err, webhook.ErrNoSignature):
				t.Fatalf("an invalid vector: got %v, want ErrNoSignature", err)
			}
		})
	}
}
