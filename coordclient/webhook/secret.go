package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix marks a Standard Webhooks symmetric secret.
const SecretPrefix = "whsec_"

// The specification's bounds on a symmetric secret, decoded: at least 192
// bits, at most 512.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// ErrSecret is wrapped by every error about a malformed secret. Its text
// never contains the secret.
var ErrSecret = errors.New("webhook secret")

// ParseSecret decodes "whsec_<base64>" into the HMAC key. Padded and
// unpadded base64 are both accepted, as the reference libraries do.
func ParseSecret(s string) ([]byte, error) {
	encoded, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: must start with %s", ErrSecret, SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(encoded)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: not base64 after %s", ErrSecret, SecretPrefix)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("%w: %d bytes decoded, want %d to %d", ErrSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return key, nil
}

// ParseSecrets decodes each secret; the error names the position, not the value.
func ParseSecrets(secrets []string) ([][]byte, error) {
	keys := make([][]byte, 0, len(secrets))
	for i, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return nil, fmt.Errorf("secrets[%d]: %w", i, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// NewSecret returns a fresh random secret of 32 bytes, "whsec_<base64>".
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}
