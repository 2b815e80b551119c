package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/coordapi/coord"
)

func cached(c *stmtCache) int {
	n := 0
	c.stmts.Range(func(_, _ any) bool { n++; return true })
	return n
}

// TestStatementsPrepared shows that reads and transactions end up running
// prepared statements, and that the single writer connection, busy in its
// transaction, prepares what it missed only after the transaction.
func TestStatementsPrepared(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	writes := cached(db.writerStmts)
	if writes == 0 {
		t.Fatal("the upsert's statements were not prepared after its transaction")
	}
	for range 2 {
		s, _, err := db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		db.sessions.changed([]int64{s.ID}) // cached by the create: read the database
		if got, err := db.Session(ctx, coord.SessionRef{UserID: u.UserID, LocationID: "l", ID: s.ID}); err != nil || got.ID != s.ID {
			t.Fatalf("Session = %v, %v", got, err)
		}
		if _, _, err := db.EndSession(ctx, coord.SessionRef{UserID: u.UserID, LocationID: "l", ID: s.ID}, coord.Price{RatePeriodM: 60, IncrementM: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if cached(db.writerStmts) <= writes {
		t.Error("the session writes were not prepared")
	}
	reads := cached(db.readerStmts)
	if reads == 0 {
		t.Error("the session read was not prepared")
	}
	db.sessions.changed([]int64{1})
	if _, err := db.Session(ctx, coord.SessionRef{UserID: u.UserID, LocationID: "l", ID: 1}); err != nil {
		t.Fatal(err)
	}
	if cached(db.readerStmts) != reads {
		t.Error("a repeated read prepared its statement again")
	}
}
