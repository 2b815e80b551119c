package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
)

func testSecret(e *env) {
	name := uniq("secret")
	calls := 0
	gen := func(b string) func() ([]byte, error) {
		return func() ([]byte, error) { calls++; return []byte(b), nil }
	}
	boom := errors.New("no entropy")
	if _, err := e.s.Secret(e.ctx, name, func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		e.Errorf("Secret with a failing generator = %v, want %v", err, boom)
	}
	first, err := e.s.Secret(e.ctx, name, gen("first"))
	if err != nil || string(first) != "first" {
		e.Fatalf("Secret = %q, %v; want %q", first, err, "first")
	}
	again, err := e.s.Secret(e.ctx, name, gen("second"))
	if err != nil || string(again) != "first" {
		e.Fatalf("Secret again = %q, %v; want %q", again, err, "first")
	}
	if calls != 1 {
		e.Errorf("generate called %d times, want once", calls)
	}
	other, err := e.s.Secret(e.ctx, uniq("secret"), gen("other"))
	if err != nil || string(other) != "other" {
		e.Errorf("another name = %q, %v; want %q", other, err, "other")
	}
	// Binary values survive.
	bin := []byte{0, 1, 0xff, 0}
	got, err := e.s.Secret(e.ctx, uniq("secret"), func() ([]byte, error) { return bin, nil })
	if err != nil || !bytes.Equal(got, bin) {
		e.Errorf("binary secret = %x, %v; want %x", got, err, bin)
	}
}

func testSecretConcurrent(e *env) {
	name := uniq("secret")
	const n = 20
	var wg sync.WaitGroup
	got := make([][]byte, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = e.s.Secret(e.ctx, name, func() ([]byte, error) { return fmt.Appendf(nil, "value-%d", i), nil })
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			e.Fatalf("call %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			e.Errorf("callers got %q and %q", got[i], got[0])
		}
	}
}
