package coordclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"time"
)

// Option configures a Client.
type Option func(*settings)

type settings struct {
	timeout    time.Duration
	httpClient *http.Client
	rootCAs    *x509.CertPool
}

// WithTimeout bounds each request (default DefaultTimeout; 0 means no
// bound). A deadline on the call's context applies too: the earlier wins.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) { s.timeout = d }
}

// WithHTTPClient sends requests through hc: a custom transport, proxy or
// TLS configuration. It cannot be combined with WithRootCAs.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.httpClient = hc }
}

// WithRootCAs trusts the certificate authorities in pool for https base
// URLs, instead of the system's: a server with a private or self-signed
// certificate.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(s *settings) { s.rootCAs = pool }
}

// client is the configured http.Client, or one built from the options.
// The timeout is not set here but on each request's parameters, so it also
// applies to a caller's own http.Client.
func (s settings) client() (*http.Client, error) {
	if s.httpClient != nil {
		if s.rootCAs != nil {
			return nil, errors.New("coordclient: WithRootCAs and WithHTTPClient cannot be combined; set the CAs on the http.Client's transport")
		}
		return s.httpClient, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if s.rootCAs != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: s.rootCAs, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}, nil
}
