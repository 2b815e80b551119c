package sqlite

import (
	"context"
	"maps"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// Deliveries are written by the store, in the transaction that commits
// their events: each batch of the group commit ends with one INSERT of
// the rows its requests' events get, one per matching endpoint, and of the
// deliveries they queued (pings); the rows the dispatcher has room for are
// written leased (handoff.go). Until migration 8 a trigger wrote them, one
// program per event, and each batch read them back and leased them with an
// UPDATE: three passes over the rows where one does. The endpoints are
// held in memory, the committer's alone: WebhookQueue sets them, the
// record of a 410 marks one disabled.

// hookEndpoint is one endpoint as the committer matches events to it.
type hookEndpoint struct {
	id    string
	types map[coord.EventType]bool // nil: every type
	// disabled: a 410 Gone disabled it for its fingerprint. Its rows are
	// written all the same (the backlog for when the catalog changes its
	// URL), never leased.
	disabled bool
}

// hookSet is the catalog's endpoints as the store last took them.
type hookSet struct {
	byPartner map[string][]*hookEndpoint
	byID      map[string]*hookEndpoint
}

func newHookSet(endpoints []delivery.Endpoint, disabled map[string]bool) *hookSet {
	s := &hookSet{byPartner: map[string][]*hookEndpoint{}, byID: map[string]*hookEndpoint{}}
	for _, e := range endpoints {
		h := &hookEndpoint{id: e.WebhookID, disabled: disabled[e.WebhookID]}
		if len(e.Events) > 0 {
			h.types = map[coord.EventType]bool{}
			for _, t := range e.Events {
				h.types[coord.EventType(t)] = true
			}
		}
		s.byPartner[e.PartnerID] = append(s.byPartner[e.PartnerID], h)
		s.byID[e.WebhookID] = h
	}
	return s
}

// leasable says whether a delivery to the endpoint may be handed over.
func (s *hookSet) leasable(webhookID string) bool {
	h := s.byID[webhookID]
	return h != nil && !h.disabled
}

// disable marks the endpoint disabled (its 410 is being recorded).
func (s *hookSet) disable(webhookID string) {
	if h := s.byID[webhookID]; h != nil {
		h.disabled = true
	}
}

// queuedDelivery is a delivery a write asks for besides its events' (a
// ping): its body given, due at once.
type queuedDelivery struct {
	webhookID, eventID string
	body               []byte
}

// queueDelivery adds a delivery to the write in tx, written with the
// batch's others; false when tx is not a write of the committer.
func queueDelivery(tx querier, d queuedDelivery) bool {
	q, ok := tx.(inTx)
	if !ok || q.queued == nil {
		return false
	}
	*q.queued = append(*q.queued, d)
	return true
}

// batchDeliveries are the rows the batch's successful requests get, in
// their order: each event's, endpoint by endpoint, then what was queued.
func (db *DB) batchDeliveries(claimed []*writeReq, now int64) []handoffRow {
	var rows []handoffRow
	for _, r := range claimed {
		if r.err != nil {
			continue
		}
		if db.hooks != nil {
			for i := range r.events {
				e := &r.events[i]
				for _, h := range db.hooks.byPartner[e.PartnerID] {
					if h.types == nil || h.types[e.Type] {
						rows = append(rows, handoffRow{webhookID: h.id, event: e.ID, created: e.CreatedAt.UnixMilli(), attempt: 1})
					}
				}
			}
		}
		for _, d := range r.queued {
			rows = append(rows, handoffRow{webhookID: d.webhookID, event: d.eventID, body: d.body, created: now, attempt: 1})
		}
	}
	return rows
}

// writeDeliveries writes the batch's deliveries (batchDeliveries), those
// the handoff has room for leased, and returns what to hand over once the
// batch commits (nil: nothing). An error fails the batch: no event
// commits without its deliveries.
func (db *DB) writeDeliveries(ctx context.Context, tx querier, claimed []*writeReq) (*pendingHandoff, error) {
	now := db.now()
	rows := db.batchDeliveries(claimed, now)
	if len(rows) == 0 {
		return nil, nil
	}
	p := db.reserve(rows)
	leased := make([]bool, len(rows))
	var until int64
	claim := ""
	if p != nil {
		room := maps.Clone(p.res.Room)
		for i, r := range rows {
			if room[r.webhookID] > 0 {
				room[r.webhookID]--
				leased[i] = true
			} else if db.hooks.leasable(r.webhookID) {
				p.missed = true
			}
		}
		until, claim = p.res.At.UnixMilli()+p.res.Lease.Milliseconds(), p.claim
	}
	if err := insertDeliveries(ctx, tx, rows, leased, until, claim); err != nil {
		if p != nil {
			p.h.to.Release(p.res, true)
		}
		return nil, err
	}
	if p == nil {
		return nil, nil
	}
	for i, r := range rows {
		if leased[i] {
			p.leased = append(p.leased, r)
		}
	}
	if len(p.leased) == 0 {
		p.h.to.Release(p.res, p.missed)
		return nil, nil
	}
	return p, nil
}

// reserve asks the handoff, if there is one, for room for the rows it may
// take; nil when there is none or no row it may take.
func (db *DB) reserve(rows []handoffRow) *pendingHandoff {
	h := db.hand
	if h == nil || db.hooks == nil {
		return nil
	}
	written := map[string]int{}
	for _, r := range rows {
		if db.hooks.leasable(r.webhookID) {
			written[r.webhookID]++
		}
	}
	if len(written) == 0 {
		return nil
	}
	return &pendingHandoff{h: h, res: h.to.Reserve(written), claim: newClaim()}
}

// deliveryChunk bounds the rows of one INSERT: one SQL text per length,
// each prepared once, as the records' (webhookrecord.go).
const deliveryChunk = 32

var deliveryInserts = func() (inserts [deliveryChunk + 1]string) {
	for n := 1; n <= deliveryChunk; n++ {
		inserts[n] = `INSERT INTO webhook_deliveries (id, webhook_id, event_id, body, created_at, next_at, lease_until, claim)
			VALUES ` + valueRows(n, 8)
	}
	return inserts
}()

// insertDeliveries writes rows, due at their creation, those leased under
// claim until until, and sets their ids. The ids are given, after the
// newest row's, so that no statement needs to return them: the committer
// is the file's one writer.
func insertDeliveries(ctx context.Context, tx querier, rows []handoffRow, leased []bool, until int64, claim string) error {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM webhook_deliveries`).Scan(&last); err != nil {
		return err
	}
	for from := 0; from < len(rows); from += deliveryChunk {
		chunk := rows[from:min(from+deliveryChunk, len(rows))]
		args := make([]any, 0, 8*len(chunk))
		for i := range chunk {
			last++
			r := &chunk[i]
			r.id = last
			lease, by := int64(0), ""
			if leased[from+i] {
				lease, by = until, claim
			}
			args = append(args, r.id, r.webhookID, r.event, r.body, r.created, r.created, lease, by)
		}
		if _, err := tx.ExecContext(ctx, deliveryInserts[len(chunk)], args...); err != nil {
			return err
		}
	}
	return nil
}
