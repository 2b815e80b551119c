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
	retry      Retry
	userAgent  string
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

// WithRetry sets how requests are retried (default DefaultRetry).
func WithRetry(r Retry) Option {
	return func(s *settings) { s.retry = r }
}

// WithoutRetries sends every request once: a caller with its own retry
// policy, or a test that wants to see the first failure.
func WithoutRetries() Option { return WithRetry(Retry{}) }

// WithUserAgent names the calling application in the User-Agent header, in
// front of the SDK's own name and version ("my-app/1.2 coordclient-go/v1.0.0"),
// so that the partner's traffic can be told apart in the server's logs.
func WithUserAgent(product string) Option {
	return func(s *settings) { s.userAgent = product }
}

// client is the configured http.Client, or one built from the options,
// with the SDK's transport (User-Agent, retries, request ids) in front of
// its own. The timeout is not set here but on each request's parameters,
// so it bounds a call with all its retries, on a caller's http.Client too.
func (s settings) client() (*http.Client, error) {
	var hc http.Client
	if s.httpClient != nil {
		if s.rootCAs != nil {
			return nil, errors.New("coordclient: WithRootCAs and WithHTTPClient cannot be combined; set the CAs on the http.Client's transport")
		}
		hc = *s.httpClient
	}
	next := hc.Transport
	if next == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if s.rootCAs != nil {
			tr.TLSClientConfig = &tls.Config{RootCAs: s.rootCAs, MinVersion: tls.VersionTLS12}
		}
		next = tr
	}
	hc.Transport = &transport{next: next, retry: s.retry, userAgent: userAgent(s.userAgent)}
	return &hc, nil
}
