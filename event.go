package coord

import (
	"context"
	"time"
)

// EventType names what changed.
type EventType string

// The event types. Every change of a session or a user appends exactly one
// event, in the transaction of the change.
const (
	EventSessionCreated   EventType = "session.created"
	EventSessionStarted   EventType = "session.started" // the entry gate (simulated or real)
	EventSessionEnded     EventType = "session.ended"
	EventSessionCancelled EventType = "session.cancelled"
	EventVehicleUpdated   EventType = "user.vehicle_updated"
	EventAccountLinked    EventType = "user.account_linked"
	EventAccountUnlinked  EventType = "user.account_unlinked"
)

// Event log defaults.
const (
	DefaultEventRetention = 720 * time.Hour // how long events are kept
	MaxEventPage          = 500             // list_events' largest limit
	DefaultEventPage      = 100             // list_events' default limit
)

// EventTypes lists every event type, in the order the API documents them.
var EventTypes = []EventType{EventSessionCreated, EventSessionStarted, EventSessionEnded,
	EventSessionCancelled, EventVehicleUpdated, EventAccountLinked, EventAccountUnlinked}

// Event is one committed change, as the partner's backend sees it. Seq
// numbers a partner's events: they increase in commit order, so a consumer
// paging with "after the last seq I saw" never misses one or sees one twice.
type Event struct {
	ID        string
	Seq       int64
	Type      EventType
	CreatedAt time.Time
	UserID    string
	PartnerID string
	Test      bool
	// Exactly one of Session and User is set: the resource right after the change.
	Session *Session
	User    *User
}

// EventFilter selects a page of one partner's events, oldest first.
type EventFilter struct {
	PartnerID string
	// After is the last seq the consumer saw; nil starts at the oldest
	// event retained. A seq older than what is retained is ECursorExpired.
	After *int64
	Type  EventType // empty: every type
	Limit int       // 1–500; stores treat 0 as 100 and clamp the rest
}

// Change tells waiters that something committed: a partner's event Seq
// about session SessionID (0 for user events). Resync means changes may
// have been missed (a listener reconnected): every waiter re-reads.
type Change struct {
	PartnerID string
	Seq       int64
	Type      EventType
	SessionID int64
	Resync    bool
}

// EventStore keeps the event log that every change appends to.
type EventStore interface {
	// Events returns a page of a partner's events, oldest first.
	Events(ctx context.Context, f EventFilter) ([]*Event, error)
	// PruneEvents deletes events created before cutoff and returns how many.
	// Cursors older than what it deleted are ECursorExpired from then on.
	PruneEvents(ctx context.Context, cutoff time.Time) (int, error)
	// ListenChanges calls fn for every change committed, by this process or
	// (on a shared database) any other, until ctx is done. Notifications are
	// an optimisation: waiters re-read the database, so a lost one only
	// delays an answer.
	ListenChanges(ctx context.Context, fn func(Change)) error
}
