package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// signatureVersion identifies a symmetric (HMAC-SHA256) signature.
const signatureVersion = "v1"

// mac is HMAC-SHA256 of "{id}.{timestamp}.{body}": the one computation
// that signing and verifying share.
func mac(key []byte, id string, timestamp int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(nil, timestamp, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns the webhook-signature value for body: "v1,<base64>" for
// each key, space-separated, in the keys' order.
func Sign(keys [][]byte, id string, timestamp time.Time, body []byte) string {
	sigs := make([]string, len(keys))
	for i, key := range keys {
		sigs[i] = signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(key, id, timestamp.Unix(), body))
	}
	return strings.Join(sigs, " ")
}

// SetHeaders sets the three Standard Webhooks headers on h for one
// attempt at time at. id must not contain a '.' (the signed content is
// '.'-delimited); event ids never do.
func SetHeaders(h http.Header, keys [][]byte, id string, at time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(HeaderSignature, Sign(keys, id, at, body))
}
