package postgres

import (
	"maps"
	"sync"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/coordapi/coord"
)

// usersMax bounds the users userCache holds. A held user is a few hundred
// bytes (its strings, vehicle and linked-account map), so the bound is a
// few MiB.
const usersMax = 8192

// userRow is a user with its version (migration 7), which every change of
// the user or its linked accounts changes.
type userRow struct {
	*coord.User
	version int64
}

// userCache holds the users this replica read or wrote last, so that a
// session start needs no read of its user: the INSERT is conditional on
// the user still being at the version held (create.go), so a user changed
// since, on any replica, is read again before anything is decided. Nothing
// is created or refused on what it holds alone. Held users are never
// modified; callers get copies.
type userCache struct {
	mu   sync.Mutex
	rows map[[16]byte]*userRow
}

func newUserCache() *userCache {
	return &userCache{rows: make(map[[16]byte]*userRow)}
}

// get returns the user held for uid, or nil. The caller must not modify it.
func (c *userCache) get(uid pgtype.UUID) *userRow {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rows[uid.Bytes]
}

// put holds a copy of r, unless a newer version of the user is held
// already (reads that overlap may finish out of order).
func (c *userCache) put(uid pgtype.UUID, r *userRow) {
	u := *r.User
	u.Linked = maps.Clone(r.Linked)
	if r.Vehicle != nil {
		v := *r.Vehicle
		u.Vehicle = &v
	}
	kept := &userRow{User: &u, version: r.version}
	c.mu.Lock()
	defer c.mu.Unlock()
	held, ok := c.rows[uid.Bytes]
	if ok && held.version > r.version {
		return
	}
	if !ok && len(c.rows) >= usersMax {
		for k := range c.rows { // an arbitrary one
			delete(c.rows, k)
			break
		}
	}
	c.rows[uid.Bytes] = kept
}

// forget drops the user held for uid, if any.
func (c *userCache) forget(uid pgtype.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.rows, uid.Bytes)
}
