package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coordapi/coord/internal/apitest"
)

// inProcess runs coord's run function against the real handler on an
// httptest server, with a config dir of its own.
type inProcess struct {
	url    string
	config string
}

func newInProcess(t *testing.T) *inProcess {
	t.Helper()
	s := apitest.New(t, "sqlite", apitest.Options{})
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	for _, v := range []string{"COORD_URL", "COORD_ACCESS_KEY", "COORD_TOKEN", "COORD_CA_CERT", "COORD_TIMEOUT", "COORD_SERVER_TOKEN"} {
		t.Setenv(v, "") // set for the test's duration, then restored
		os.Unsetenv(v)
	}
	return &inProcess{url: s.URL, config: config}
}

func (p *inProcess) run(args ...string) (stdout, stderr string, status int) {
	var out, errOut bytes.Buffer
	status = run(append([]string{"--url", p.url}, args...), &out, &errOut)
	return out.String(), errOut.String(), status
}

func TestUsageErrorsExitWithTwoAndSayWhy(t *testing.T) {
	p := newInProcess(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login", "--email", "a@example.com"}, "coord: login needs exactly one of --test or --server-token"},
		{[]string{"login", "--test", "--server-token", "x", "--email", "a@example.com"}, "coord: login needs exactly one of"},
		{[]string{"login", "--server-token", "x", "--email", "a@example.com"}, "coord: login --server-token needs --external-uid"},
		{[]string{"login", "--test"}, "coord: the required flag `--email' was not specified"},
		{[]string{"link", "gatepark"}, "coord: link needs --redirect-uri"},
		{[]string{"link", "gatepark", "--test"}, "coord: link --test needs exactly one of --allow or --deny"},
		{[]string{"link", "gatepark", "--allow"}, "coord: --allow and --deny go with --test"},
		{[]string{"session", "get", "downtown-garage"}, "coord: the required argument `ID` was not provided"},
		{[]string{"session", "get", "downtown-garage", "one"}, "coord: ID must be a session id (a positive number, as coord session start prints it), not \"one\"\nusage: coord session get [OPTIONS] LOCATION ID\n"},
		{[]string{"session", "end", "downtown-garage", "-3"}, "coord: "},
		{[]string{"quote", "downtown-garage", "ninety"}, "coord: MINUTES must be a number of minutes from 1 to 10080"},
		{[]string{"quote", "downtown-garage", "10081"}, "coord: MINUTES must be"},
		{[]string{"session", "get", "downtown-garage", "1", "--watch", "--interval", "0s"}, "coord: --interval must be positive"},
		{[]string{"park"}, "coord: Unknown command `park'"},
	} {
		out, errOut, status := p.run(tc.args...)
		if status != exitUsage || !strings.HasPrefix(errOut, tc.want) || !strings.Contains(errOut, "usage: coord") || out != "" {
			t.Errorf("coord %s: exit %d, stdout %q, stderr %q; want a failure starting %q", strings.Join(tc.args, " "), status, out, errOut, tc.want)
		}
	}
}

func TestHelpGoesToStdoutAndExitsZero(t *testing.T) {
	out, errOut, status := newInProcess(t).run("--help")
	if status != 0 || errOut != "" || !strings.Contains(out, "Available commands:") || !strings.Contains(out, "COORD_ACCESS_KEY") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", status, errOut, out)
	}
}

func TestCommandsNeedALoginAndSayHowToGetOne(t *testing.T) {
	_, errOut, status := newInProcess(t).run("user")
	if status != exitError || !strings.HasPrefix(errOut, "coord: not logged in: run `coord login --test") {
		t.Fatalf("exit %d, stderr %q", status, errOut)
	}
}

func TestRealUsersLogInWithTheServerTokenAndLogOut(t *testing.T) {
	p := newInProcess(t)
	out, errOut, status := p.run("--json", "login", "--server-token", "demo-server-token", "--external-uid", "partner-7", "--email", "real@example.com", "--name", "Rea L")
	if status != 0 {
		t.Fatalf("login: exit %d: %s", status, errOut)
	}
	var login struct {
		JWT       string `json:"jwt_token"`
		TokenFile string `json:"token_file"`
		User      struct {
			ExternalUID string `json:"external_uid"`
			Test        bool   `json:"test"`
		} `json:"user"`
	}
	if err := json.Unmarshal([]byte(out), &login); err != nil || login.JWT == "" || login.User.ExternalUID != "partner-7" || login.User.Test ||
		login.TokenFile != filepath.Join(p.config, "coord", "token") {
		t.Fatalf("login --json: %v\n%s", err, out)
	}
	if out, _, _ := p.run("user"); !strings.Contains(out, "external uid  partner-7") || !strings.Contains(out, "test          false") {
		t.Fatalf("user printed:\n%s", out)
	}
	if _, errOut, status := p.run("link", "gatepark", "--test", "--allow"); status != exitError || !strings.HasPrefix(errOut, "coord: forbidden: ") {
		t.Fatalf("a real user used a testing operation: exit %d, %s", status, errOut)
	}

	if _, _, status := p.run("logout"); status != 0 {
		t.Fatal("logout failed")
	}
	if _, err := os.Stat(login.TokenFile); !os.IsNotExist(err) {
		t.Fatalf("token file still there: %v", err)
	}
	if out, _, status := p.run("--token", login.JWT, "user"); status != 0 || !strings.Contains(out, "real@example.com") {
		t.Fatalf("--token: exit %d\n%s", status, out)
	}
	if _, errOut, status := p.run("--token", "not-a-jwt", "user"); status != exitError || !strings.HasPrefix(errOut, "coord: unauthorized: ") {
		t.Fatalf("bad --token: exit %d, %s", status, errOut)
	}
}

func TestSystemsPrintsATableOrJSON(t *testing.T) {
	p := newInProcess(t)
	out, _, status := p.run("systems")
	if status != 0 || !strings.Contains(out, "USD 4.00/60m, 15m steps, 10m free, max USD 24.00") || !strings.Contains(out, "linked_account") {
		t.Fatalf("systems: exit %d\n%s", status, out)
	}
	out, _, _ = p.run("--json", "systems")
	var systems []struct {
		SystemID string `json:"system_id"`
	}
	if err := json.Unmarshal([]byte(out), &systems); err != nil || len(systems) != 2 {
		t.Fatalf("systems --json: %v\n%s", err, out)
	}
}

func TestErrorsPrintTheirDetails(t *testing.T) {
	p := newInProcess(t)
	p.run("login", "--test", "--email", "details@example.com")
	_, errOut, status := p.run("session", "start", "downtown-garage")
	if status != exitError || !strings.HasPrefix(errOut, "coord: requirements_not_met: ") || !strings.HasSuffix(errOut, "\n  vehicle.license_plate.text\n") {
		t.Fatalf("exit %d, stderr %q", status, errOut)
	}
}
