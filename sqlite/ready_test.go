package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coordapi/coord"
)

// TestPingFailsOnAReadOnlyDatabase: a database SQLite opened read-only (a
// read-only file or file system; the tests run as root, which no file mode
// stops, so the writer is reopened with mode=ro) answers reads but is not
// ready, and Ping says why.
func TestPingFailsOnAReadOnlyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coord.db")
	db := open(t, path, coord.StoreConfig{})
	if err := db.Ping(t.Context()); err != nil {
		t.Fatalf("Ping on a writable database: %v", err)
	}
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+params+"&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.writer.Close()
	db.writer, db.writerStmts = ro, &stmtCache{pool: ro}
	err = db.Ping(t.Context())
	if coord.ErrorCode(err) != coord.EUnavailable || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Ping on a read-only database = %v, want %s naming read-only", err, coord.EUnavailable)
	}
	if _, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"}); coord.ErrorCode(err) != coord.EUnavailable {
		t.Fatalf("a write on the read-only database = %v, want %s (the test set-up is wrong otherwise)", err, coord.EUnavailable)
	}
}

// TestCorruptPagesAreUnavailableAndNotReady: with pages of a session table
// overwritten, the reads that meet them are EUnavailable (503), never an
// internal error, and from the first such read on Ping fails naming the
// corruption.
func TestCorruptPagesAreUnavailableAndNotReady(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coord.db")
	db := open(t, path, coord.StoreConfig{})
	var users []*coord.User
	for i := range 40 {
		u, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: strings.Repeat("u", 200) + string(rune('a'+i%26)) + strings.Repeat("x", i)})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
		for range 20 {
			s, _, err := db.CreateSession(t.Context(), coord.NewSession{UserID: u.UserID, LocationID: "loc", ResourceID: strings.Repeat("r", 100), Currency: "USD"})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.EndSession(t.Context(), s.Ref(), coord.Price{Rate: coord.Money{Amount: 1, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Close()
	corruptPages(t, path, 48) // evenly spread: the events and the webhook tables share the file with the sessions

	db = open(t, path, coord.StoreConfig{})
	failed := 0
	for _, u := range users {
		_, err := db.Sessions(t.Context(), coord.SessionFilter{UserID: u.UserID, Limit: 100})
		if err == nil {
			continue
		}
		failed++
		if code := coord.ErrorCode(err); code != coord.EUnavailable {
			t.Fatalf("a read of a corrupt page = %v (%s), want %s", err, code, coord.EUnavailable)
		}
	}
	if failed == 0 {
		t.Fatal("no read met a corrupt page: the test set-up is wrong")
	}
	if err := db.Ping(t.Context()); coord.ErrorCode(err) != coord.EUnavailable || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("Ping after a corrupt read = %v, want %s naming the corruption", err, coord.EUnavailable)
	}
	t.Logf("%d of %d users' lists met a corrupt page", failed, len(users))
}

// corruptPages overwrites n pages in the second half of the file (the data
// the test wrote; the schema lives in the first pages) with garbage.
func corruptPages(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	pages := info.Size() / page
	garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", page/4))
	for i := range int64(n) {
		at := (pages/2 + i*(pages/2)/int64(n)) * page
		if _, err := f.WriteAt(garbage, at); err != nil {
			t.Fatal(err)
		}
	}
}
