package sqlite

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/coordapi/coord"
)

// TestTwoHandlesOneFile plays two server processes on one file: the busy
// timeout and BEGIN IMMEDIATE serialise their writers, and the database
// still lets exactly one open session through.
func TestTwoHandlesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coord.db")
	dbs := []*DB{open(t, path, coord.StoreConfig{}), open(t, path, coord.StoreConfig{})}
	u, err := dbs[0].UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	reported := make([]bool, n)
	for i := range n {
		wg.Go(func() {
			_, reported[i], errs[i] = dbs[i%2].CreateSession(t.Context(), coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD"})
		})
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch coord.ErrorCode(err) {
		case "":
			created++
			if !reported[i] {
				t.Errorf("call %d created the session but did not report it created", i)
			}
		case coord.EActiveSessionExists:
		default:
			t.Errorf("CreateSession: %v", err)
		}
	}
	if created != 1 {
		t.Errorf("%d sessions created, want 1", created)
	}
}

// TestKilledProcessLosesNoAcknowledgedWrite runs a child process that
// creates users as fast as it can and reports each one once UpsertUser has
// returned, kills it mid-write, and checks that every reported user is in
// the file.
func TestKilledProcessLosesNoAcknowledgedWrite(t *testing.T) {
	if path := os.Getenv("COORD_SQLITE_WRITER"); path != "" {
		writeUntilKilled(t, path)
		return
	}
	path := filepath.Join(t.TempDir(), "coord.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProcessLosesNoAcknowledgedWrite$")
	cmd.Env = append(os.Environ(), "COORD_SQLITE_WRITER="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]string{} // external uid → user id
	lines := bufio.NewScanner(out)
	for len(acked) < 100 && lines.Scan() {
		var uid, id string
		if _, err := fmt.Sscan(lines.Text(), &uid, &id); err == nil {
			acked[uid] = id
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(acked) < 100 {
		t.Fatalf("the writer acknowledged only %d users", len(acked))
	}

	db := open(t, path, coord.StoreConfig{})
	for uid, id := range acked {
		u, err := db.User(t.Context(), id)
		if err != nil || u.ExternalUID != uid {
			t.Errorf("acknowledged user %s (%s) = %+v, %v", id, uid, u, err)
		}
	}
}

func writeUntilKilled(t *testing.T, path string) {
	db, err := Open(t.Context(), path, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		u, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: fmt.Sprint("u", i)})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(u.ExternalUID, u.UserID)
	}
}
