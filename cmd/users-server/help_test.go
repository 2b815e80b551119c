package main

import (
	"io"
	"strings"
	"testing"

	"github.com/coordapi/coord/httpapi"
)

// --help says what the binary does: the generated TLS flags' variables are
// COORD_<FLAG> too, no default contradicts another, and no flag is shown
// that nothing reads.
func TestHelpHasNoContradictions(t *testing.T) {
	api, err := httpapi.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	var help strings.Builder
	if _, _, err := parseOptions(api, []string{"--help"}, &help); err != errHelp {
		t.Fatalf("--help: %v", err)
	}
	out := help.String()
	for _, bad := range []string{"random value", "socket-path", "defaults to the schemes", "TLS_PRIVATE_KEY", "TLS_CA_CERTIFICATE"} {
		if strings.Contains(out, bad) {
			t.Errorf("--help says %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"[$COORD_TLS_KEY]", "[$COORD_TLS_CA]"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %s", want)
		}
	}
	if _, _, err := parseOptions(api, []string{"--scheme", "unix"}, io.Discard); err == nil {
		t.Error("--scheme unix was accepted, with no socket to listen on")
	}
}
