package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestQuotePricesASessionWithoutALogin(t *testing.T) {
	p := newInProcess(t)
	out, errOut, status := p.run("quote", "downtown-garage", "90")
	if status != 0 || !strings.Contains(out, "cost      USD 6.00") || !strings.Contains(out, "USD 4.00/60m, 15m steps, 10m free, max USD 24.00") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", status, errOut, out)
	}
	out, _, _ = p.run("--json", "quote", "downtown-garage", "600")
	var q struct {
		Cost struct{ Amount int64 } `json:"cost"`
	}
	if err := json.Unmarshal([]byte(out), &q); err != nil || q.Cost.Amount != 2400 {
		t.Fatalf("--json quote: %v\n%s", err, out)
	}
	if _, errOut, status := p.run("quote", "harbor-street", "60"); status != exitError || !strings.HasPrefix(errOut, "coord: location_not_transactable: ") {
		t.Fatalf("exit %d, stderr %q", status, errOut)
	}
}

func TestVehicleShowsTheVehicle(t *testing.T) {
	p := newInProcess(t)
	p.run("login", "--test", "--email", "vehicle@example.com")
	if out, errOut, status := p.run("vehicle"); status != 0 || !strings.HasPrefix(out, "vehicle  -") {
		t.Fatalf("no vehicle yet: exit %d, stderr %q, stdout %q", status, errOut, out)
	}
	p.run("vehicle", "set", "--plate", "AB C-123", "--country", "us", "--subdivision", "ny")
	if out, _, status := p.run("vehicle"); status != 0 || out != "vehicle  abc123 (us-ny)\n" {
		t.Fatalf("exit %d, stdout %q", status, out)
	}
}

func TestTheSavedTokenIsNotSentToAnotherServer(t *testing.T) {
	p := newInProcess(t)
	if _, errOut, status := p.run("login", "--test", "--email", "pinned@example.com"); status != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, status := p.run("user"); status != 0 {
		t.Fatalf("the same server: %s", errOut)
	}
	if _, errOut, status := p.run("--url", p.url+"/v1/users/", "user"); status != 0 {
		t.Fatalf("the same server, spelt with the base path: %s", errOut)
	}
	other := newInProcess(t) // same config dir env is replaced: log in again in p's
	t.Setenv("XDG_CONFIG_HOME", p.config)
	_, errOut, status := p.run("--url", other.url, "user")
	if status != exitError || !strings.HasPrefix(errOut, "coord: the saved token is for "+p.url+", not "+other.url+": it is not sent to another server") {
		t.Fatalf("another server: exit %d, stderr %q", status, errOut)
	}
}
