package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient/webhook"
)

const listenEvent = `{"id":"evt_42","seq":42,"type":"session.started","created_at":"2026-01-01T00:00:00.000Z","test":true,"data":{"session":{"id":1}}}`

func TestListenForwardsEachEventSignedToTheLocalReceiver(t *testing.T) {
	secret := webhook.NewSecret()
	var got []*webhook.Event
	srv := httptest.NewServer(webhook.Handler(webhook.Verifier{Secrets: []string{secret}}, func(_ context.Context, ev *webhook.Event) error {
		got = append(got, ev)
		return nil
	}))
	defer srv.Close()
	var out bytes.Buffer
	f, err := newForwarder(srv.URL+"/hook", []string{secret}, time.Second, &out)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.forward(context.Background(), []byte(listenEvent))
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("forward: %+v, %v", res, err)
	}
	if len(got) != 1 || got[0].ID != "evt_42" || got[0].Seq != 42 {
		t.Fatalf("the receiver got %+v", got)
	}
	if line := out.String(); !strings.Contains(line, "session.started") || !strings.Contains(line, "evt_42") || !strings.Contains(line, "--> 204 delivered") {
		t.Fatalf("printed %q", line)
	}
}

func TestListenSaysWhenTheReceiverRefusesTheSignature(t *testing.T) {
	srv := httptest.NewServer(webhook.Handler(webhook.Verifier{Secrets: []string{webhook.NewSecret()}}, func(context.Context, *webhook.Event) error { return nil }))
	defer srv.Close()
	var out bytes.Buffer
	f, err := newForwarder(srv.URL, nil, time.Second, &out) // no --secret: one is made and printed
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Your webhook signing secret is whsec_") {
		t.Fatalf("printed %q", out.String())
	}
	res, _ := f.forward(context.Background(), []byte(listenEvent))
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(out.String(), "--> 401 refused: check the receiver's secret") {
		t.Fatalf("%+v, printed %q", res, out.String())
	}
}

func TestListenReportsAReceiverThatIsDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	var out bytes.Buffer
	f, err := newForwarder(url, []string{webhook.NewSecret()}, time.Second, &out)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := f.forward(context.Background(), []byte(listenEvent)); res.StatusCode != 0 || !strings.Contains(out.String(), "--> connection refused") {
		t.Fatalf("%+v, printed %q", res, out.String())
	}
	if _, err := f.forward(context.Background(), []byte(`{"type":"x"}`)); err == nil {
		t.Fatal("an event without an id was forwarded")
	}
}

func TestListenRefusesABadURLOrSecret(t *testing.T) {
	for _, c := range []struct {
		url     string
		secrets []string
		want    string
	}{
		{"localhost:3000/hook", nil, "must be http or https"},
		{"ftp://localhost/hook", nil, "must be http or https"},
		{"http://localhost:3000/hook", []string{"whsec_c2hvcnQ="}, "--secret secrets[0]: webhook secret: 5 bytes decoded"},
		{"http://localhost:3000/hook", []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "must start with whsec_"},
	} {
		_, err := newForwarder(c.url, c.secrets, time.Second, io.Discard)
		var usage usageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want a usage error containing %q", c.url, c.secrets, err, c.want)
		}
	}
}
