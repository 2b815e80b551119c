package bench

import "context"

// RawStore is the storage limit of a session lifecycle: the fewest
// statements that create, read and end-and-bill a session, issued straight
// through the driver with the store's durability settings, no HTTP, no
// domain layer. The lifecycle scenario compares the server with it.
type RawStore interface {
	// Create inserts an active session for the user and returns its id.
	Create(ctx context.Context, userID string) (int64, error)
	// Get reads one of the user's sessions.
	Get(ctx context.Context, userID string, id int64) error
	// End reads the session's start, bills it and marks it ended.
	End(ctx context.Context, userID string, id int64) error
	Close()
}
