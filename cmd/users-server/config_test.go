package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/httpapi"
)

func TestInvalidConfigurationFailsAtStartWithOneLine(t *testing.T) {
	dir := t.TempDir()
	badCatalog := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badCatalog, []byte("partners:\n  - id: x\n    bogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badHook := filepath.Join(dir, "hook.yaml")
	hook := "partners:\n  - {id: p, name: P, access_keys: [k], server_tokens: [s],\n" +
		"     webhooks: [{id: h, url: \"ftp://hooks.example.com/x\", secrets: [whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=]}]}\nsystems: []\n"
	if err := os.WriteFile(badHook, []byte(hook), 0o600); err != nil {
		t.Fatal(err)
	}
	db := "--db=" + filepath.Join(dir, "coord.db")
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"a catalog that does not parse", nil, []string{db, "--catalog", badCatalog}, "field bogus not found"},
		{"a webhook URL that is not http(s)", nil, []string{db, "--catalog", badHook}, "must be http or https"},
		{"no webhook timeout", nil, []string{db, "--webhook-timeout", "0s"}, "--webhook-timeout and --webhook-concurrency must be positive"},
		{"a negative webhook cap per endpoint", nil, []string{db, "--webhook-per-endpoint", "-1"}, "--webhook-per-endpoint must not be negative"},
		{"a webhook lease shorter than the timeout", []string{"COORD_WEBHOOK_LEASE=5s"}, []string{db}, "--webhook-lease must be longer than --webhook-timeout"},
		{"a webhook schedule made slower", nil, []string{db, "--webhook-schedule-scale", "2"}, "--webhook-schedule-scale must be above 0 and at most 1"},
		{"a missing catalog file", nil, []string{db, "--catalog", filepath.Join(dir, "none.yaml")}, "no such file"},
		{"a database in a missing directory", nil, []string{"--db", filepath.Join(dir, "none", "coord.db")}, "open database"},
		{"a malformed postgres DSN", nil, []string{"--db", "postgres://%%%"}, "parse dsn"},
		{"a short JWT secret", nil, []string{db, "--jwt-secret", "short"}, "--jwt-secret needs at least 32 bytes"},
		{"a short JWT secret from the environment", []string{"COORD_JWT_SECRET=short"}, []string{db}, "--jwt-secret needs at least 32 bytes"},
		{"an unknown log level", nil, []string{db, "--log-level", "verbose"}, "Invalid value `verbose' for option `--log-level'"},
		{"an unknown log format from the environment", []string{"COORD_LOG_FORMAT=xml"}, []string{db}, "--log-format"},
		{"an unknown flag", nil, []string{db, "--bogus"}, "unknown flag `bogus'"},
		{"a malformed duration", nil, []string{db, "--pending-ttl", "soon"}, "--pending-ttl"},
		{"a zero body limit", nil, []string{db, "--max-body-bytes", "0"}, "--max-body-bytes must be positive"},
		{"a shutdown delay past the graceful timeout", nil, []string{db, "--shutdown-delay", "20s"}, "must be shorter than --graceful-timeout"},
		{"no write timeout", []string{"COORD_WRITE_TIMEOUT=0s"}, []string{db}, "--write-timeout must be positive"},
		{"no header timeout", []string{"COORD_READ_HEADER_TIMEOUT=0s"}, []string{db}, "--read-header-timeout and --cleanup-timeout must be positive"},
		{"no idle timeout", nil, []string{db, "--cleanup-timeout", "0s"}, "--read-header-timeout and --cleanup-timeout must be positive"},
		{"a negative connection cap", nil, []string{db, "--listen-limit", "-1"}, "--listen-limit must not be negative"},
		{"long-polls that could take every connection", nil, []string{db, "--listen-limit", "100", "--max-waiters", "100"}, "--max-waiters (100) must be below --listen-limit (100)"},
		{"a tiny header limit", nil, []string{db, "--max-header-size", "100B"}, "--max-header-size must be at least 1KiB"},
		{"https without a certificate", []string{"COORD_SCHEME=https"}, []string{db}, "--scheme https needs --tls-certificate and --tls-key"},
		{"the demo catalog on every interface", nil, []string{db, "--host", "0.0.0.0"}, "the demo catalog's credentials are public"},
		{"the demo catalog on an empty host", []string{"COORD_HOST="}, []string{db}, "--allow-demo-catalog"},
		{"the demo catalog on IPv6's any address", nil, []string{db, "--host", "::"}, "--allow-demo-catalog"},
		{"the demo catalog on a host name", nil, []string{db, "--host", "example.com"}, "--allow-demo-catalog"},
		{"the demo catalog over TLS on a public address", nil, []string{db, "--scheme", "https", "--tls-host", "0.0.0.0", "--tls-certificate", "c", "--tls-key", "k"}, "--allow-demo-catalog"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runServer(t, tc.env, tc.args...)
			if r.code != 1 {
				t.Fatalf("exit code %d, want 1; stderr:\n%s", r.code, r.stderr)
			}
			if lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n"); len(lines) != 1 {
				t.Fatalf("stderr has %d lines, want one:\n%s", len(lines), r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "users-server: ") || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("stderr = %q, want users-server: …%s…", r.stderr, tc.want)
			}
		})
	}
}

// TestDemoCatalogOnlyOnLoopbackUnlessAllowed: loopback addresses serve the
// demo catalog; a public one does with --allow-demo-catalog (or its
// variable), or with a catalog of the operator's own.
func TestDemoCatalogOnlyOnLoopbackUnlessAllowed(t *testing.T) {
	for _, tc := range []struct {
		host string
		env  []string
		args []string
		ok   bool
	}{
		{"localhost", nil, nil, true},
		{"127.0.0.1", nil, nil, true},
		{"127.1.2.3", nil, nil, true},
		{"::1", nil, nil, true},
		{"0.0.0.0", nil, nil, false},
		{"192.0.2.1", nil, nil, false},
		{"0.0.0.0", nil, []string{"--allow-demo-catalog"}, true},
		{"0.0.0.0", []string{"COORD_ALLOW_DEMO_CATALOG=true"}, nil, true},
		{"0.0.0.0", nil, []string{"--catalog", "own.yaml"}, true},
	} {
		t.Setenv("COORD_HOST", tc.host)
		for _, kv := range tc.env {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
		api, err := httpapi.NewAPI()
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = parseOptions(api, tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("host %s %v %v: error %v, want ok=%v", tc.host, tc.env, tc.args, err, tc.ok)
		}
		os.Unsetenv("COORD_ALLOW_DEMO_CATALOG")
	}
}

func TestHelpListsEveryOptionWithItsEnvironmentVariable(t *testing.T) {
	r := runServer(t, nil, "--help")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("--help: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, group := range []string{"Data:", "Tokens and sessions:", "HTTP:", "Logging:", "Server Options:"} {
		if !strings.Contains(r.stdout, "\n"+group+"\n") {
			t.Errorf("--help has no group %q", group)
		}
	}
	// Each option starts a line "  --name=..."; its description (possibly
	// wrapped) ends with [$COORD_NAME].
	blocks := regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([a-z-]+)`).FindAllStringSubmatchIndex(r.stdout, -1)
	if len(blocks) < 25 {
		t.Fatalf("only %d options in --help:\n%s", len(blocks), r.stdout)
	}
	for i, b := range blocks {
		name := r.stdout[b[2]:b[3]]
		end := len(r.stdout)
		if i+1 < len(blocks) {
			end = blocks[i+1][0]
		}
		text := r.stdout[b[0]:end]
		if name == "help" || name == "version" {
			continue // actions, not configuration
		}
		if !regexp.MustCompile(`\[\$COORD_[A-Z_]+\]`).MatchString(text) {
			t.Errorf("--%s has no COORD_ environment variable:\n%s", name, text)
		}
	}
}

func TestVersionPrintsTheVersion(t *testing.T) {
	r := runServer(t, nil, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "users-server ") {
		t.Fatalf("--version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestEnvironmentConfiguresTheServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "coord.db")
	// startServer sets COORD_HOST and COORD_PORT (the generated server's
	// own flags) and polls /healthz on that port: reaching it proves them.
	s := startServer(t, []string{"COORD_DB=" + db, "COORD_LOG_FORMAT=text", "COORD_MAX_BODY_BYTES=100"})

	body := strings.NewReader(`{"email":"` + strings.Repeat("a", 100) + `@example.com"}`)
	resp, err := http.Post(s.url+"/v1/users/testing/create_jwt?access_key=demo-access-key", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(b), "payload_too_large") {
		t.Fatalf("a 140-byte body with COORD_MAX_BODY_BYTES=100: %d %s", resp.StatusCode, b)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("COORD_DB ignored: %v", err)
	}
	s.waitLog(t, `(?m)^time=\S+ level=INFO msg=request .* status=413 `) // COORD_LOG_FORMAT=text
}

func TestGeneratedServerFlagsReadTheEnvironment(t *testing.T) {
	t.Setenv("COORD_READ_TIMEOUT", "7s")
	t.Setenv("COORD_SCHEME", "http,https")
	t.Setenv("COORD_TLS_CERTIFICATE", "cert.pem")
	t.Setenv("COORD_TLS_KEY", "key.pem") // the COORD_<FLAG> rule, not the generated TLS_PRIVATE_KEY
	t.Setenv("COORD_TLS_CA", "ca.pem")
	t.Setenv("COORD_GRACEFUL_TIMEOUT", "9s")
	api, err := httpapi.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := parseOptions(api, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.ReadTimeout != 7*time.Second || s.GracefulTimeout != 9*time.Second {
		t.Errorf("read timeout %v, graceful timeout %v", s.ReadTimeout, s.GracefulTimeout)
	}
	if strings.Join(s.EnabledListeners, ",") != "http,https" {
		t.Errorf("listeners %v", s.EnabledListeners)
	}
	if s.TLSCertificateKey != "key.pem" || s.TLSCACertificate != "ca.pem" {
		t.Errorf("COORD_TLS_KEY %q, COORD_TLS_CA %q", s.TLSCertificateKey, s.TLSCACertificate)
	}
	if s.WriteTimeout != 30*time.Second {
		t.Errorf("default write timeout %v, want 30s", s.WriteTimeout)
	}
}

// TestReadableDatabaseFileIsWarnedAbout: an existing database file that
// others may read is named in a warning at start.
func TestReadableDatabaseFileIsWarnedAbout(t *testing.T) {
	db := filepath.Join(t.TempDir(), "coord.db")
	first := startServer(t, []string{"COORD_DB=" + db})
	first.cmd.Process.Signal(os.Interrupt)
	first.wait(t, 20*time.Second)
	if strings.Contains(first.log.String(), "chmod 600") {
		t.Fatalf("a database file the server created was warned about:\n%s", first.log)
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, []string{"COORD_DB=" + db})
	s.waitLog(t, `"level":"WARN","msg":"database file readable or writable by group or others; it holds the JWT signing key: chmod 600 it","file":"[^"]*coord.db","mode":"-rw-r--r--"`)
}

// TestConnectionDefaultsSuitAServerOnTheInternet: the generated server's
// defaults (1 MiB of headers, no connection cap, a 10 s idle timeout) are
// replaced, and the header timeout has its own flag.
func TestConnectionDefaultsSuitAServerOnTheInternet(t *testing.T) {
	api, err := httpapi.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	opts, s, err := parseOptions(api, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if opts.HTTP.ReadHeaderTimeout != 5*time.Second || s.ListenLimit != 16384 || s.MaxHeaderSize != 64<<10 || s.CleanupTimeout != time.Minute {
		t.Errorf("header timeout %v, listen limit %d, max header size %d, idle timeout %v",
			opts.HTTP.ReadHeaderTimeout, s.ListenLimit, s.MaxHeaderSize, s.CleanupTimeout)
	}
	t.Setenv("COORD_READ_HEADER_TIMEOUT", "2s")
	t.Setenv("COORD_LISTEN_LIMIT", "10")
	t.Setenv("COORD_MAX_WAITERS", "5")
	t.Setenv("COORD_MAX_HEADER_SIZE", "8192")
	t.Setenv("COORD_CLEANUP_TIMEOUT", "3s")
	if opts, s, err = parseOptions(api, nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	if opts.HTTP.ReadHeaderTimeout != 2*time.Second || s.ListenLimit != 10 || s.MaxHeaderSize != 8192 || s.CleanupTimeout != 3*time.Second {
		t.Errorf("from the environment: header timeout %v, listen limit %d, max header size %d, idle timeout %v",
			opts.HTTP.ReadHeaderTimeout, s.ListenLimit, s.MaxHeaderSize, s.CleanupTimeout)
	}
}
