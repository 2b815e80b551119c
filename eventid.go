package coord

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

// eventIDEncoding is base32 in an alphabet in byte order ('2' < 'a'), so
// that encoded ids sort as their bytes do.
var eventIDEncoding = base32.NewEncoding("234567abcdefghijklmnopqrstuvwxyz").WithPadding(base32.NoPadding)

// NewEventID returns the id of an event created at t: "evt_" and 26
// characters of [2-7a-z], encoding 48 bits of t in milliseconds and then
// 80 random bits. Ids thus sort by creation time (to the millisecond), so
// the stores' unique index on them grows at its end instead of taking a
// write of a random page per event, and they stay unguessable.
func NewEventID(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(max(t.UnixMilli(), 0))<<16)
	rand.Read(b[6:])
	return "evt_" + eventIDEncoding.EncodeToString(b[:])
}
