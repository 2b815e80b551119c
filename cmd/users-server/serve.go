package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/coordapi/coord/restapi"
	"github.com/coordapi/coord/restapi/operations"
)

// The generated server's Serve builds its http.Server values itself and
// offers no hook to set ReadHeaderTimeout, so without a header timeout a
// client trickling header bytes holds its connection for the whole read
// timeout. serve keeps the generated server's flags, listeners and shutdown
// protocol (PreServerShutdown, drain within --graceful-timeout,
// ServerShutdown) and builds the servers with every limit set.

// limits are the connection limits of every listener.
type limits struct {
	readHeaderTimeout time.Duration
	// headerBytes is net/http's cap on a request's header; the handler
	// answers over maxHeaderBytes itself, in the Error shape.
	headerBytes int
}

// serve runs the API on the listeners s has opened (s.Listen) until SIGTERM
// or SIGINT, then shuts down as the generated server does.
func serve(s *restapi.Server, api *operations.UsersAPI, handler http.Handler, l limits, log *slog.Logger) error {
	type listener struct {
		ln                        net.Listener
		readTimeout, writeTimeout time.Duration
		keepAlive                 bool
		tls                       *tls.Config
	}
	var listeners []listener // --scheme allows http and https (see tidyServerOptions)
	if slices.Contains(s.EnabledListeners, "http") {
		ln, err := s.HTTPListener()
		if err != nil {
			return err
		}
		listeners = append(listeners, listener{ln: capped(ln, s.ListenLimit), readTimeout: s.ReadTimeout, writeTimeout: s.WriteTimeout, keepAlive: s.KeepAlive > 0})
	}
	if slices.Contains(s.EnabledListeners, "https") {
		ln, err := s.TLSListener()
		if err != nil {
			return err
		}
		cfg, err := tlsConfig(s)
		if err != nil {
			return err
		}
		listeners = append(listeners, listener{ln: capped(ln, s.TLSListenLimit), readTimeout: s.TLSReadTimeout, writeTimeout: s.TLSWriteTimeout, keepAlive: s.TLSKeepAlive > 0, tls: cfg})
	}

	errorLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn) // net/http's own complaints, in the log's format
	servers := make([]*http.Server, len(listeners))
	served := make(chan error, len(listeners))
	for i, ln := range listeners {
		hs := &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: min(l.readHeaderTimeout, ln.readTimeout), // the headers are part of the request
			ReadTimeout:       ln.readTimeout,
			WriteTimeout:      ln.writeTimeout,
			IdleTimeout:       s.CleanupTimeout,
			MaxHeaderBytes:    l.headerBytes,
			TLSConfig:         ln.tls,
			ErrorLog:          errorLog,
		}
		hs.SetKeepAlivesEnabled(ln.keepAlive)
		servers[i] = hs
		go func() {
			var err error
			if ln.tls != nil {
				err = hs.ServeTLS(ln.ln, "", "") // the certificates are in TLSConfig
			} else {
				err = hs.Serve(ln.ln)
			}
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
			}
			served <- err
		}()
	}

	stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	var failed error
	select {
	case <-stop.Done():
	case failed = <-served: // a listener broke: shut the others down
		failed = fmt.Errorf("serve: %w", failed)
	}
	api.PreServerShutdown()
	ctx, done := context.WithTimeout(context.Background(), s.GracefulTimeout)
	defer done()
	var wg sync.WaitGroup
	drained := make([]error, len(servers))
	for i, hs := range servers {
		wg.Add(1)
		go func() { defer wg.Done(); drained[i] = hs.Shutdown(ctx) }()
	}
	wg.Wait()
	if err := errors.Join(drained...); err != nil {
		log.Warn("HTTP server shutdown", "error", err)
	} else {
		api.ServerShutdown()
	}
	return failed
}

// capped limits a listener to n open connections (0: no limit). Past the
// limit new connections wait in the kernel's accept queue rather than take
// descriptors the database and the probes need.
func capped(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return netutil.LimitListener(ln, n)
}

// tlsConfig is the generated server's TLS configuration: TLS 1.2 or later,
// forward-secret AEAD suites, HTTP/2, and client certificates when --tls-ca
// is given.
func tlsConfig(s *restapi.Server) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(string(s.TLSCertificate), string(s.TLSCertificateKey))
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,
		},
	}
	if s.TLSCACertificate != "" {
		pem, err := os.ReadFile(string(s.TLSCACertificate))
		if err != nil {
			return nil, fmt.Errorf("tls ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("tls ca: no certificate in " + string(s.TLSCACertificate))
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}
