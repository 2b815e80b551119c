package delivery

import "time"

// HandoffQueue is a Queue that can lease the deliveries a write creates in
// the write's own transaction and hand them to the dispatcher in memory
// once it commits (SQLite: the API's group commit, see
// sqlite/handoff.go). In steady state that saves the claim its own
// transaction — on SQLite a turn of the one writer the API's commits need
// — and the reads of the candidates and their bodies. Claim stays the path
// for everything else: backlogs, retries, leases run out, deliveries the
// dispatcher had no room for when they were written.
type HandoffQueue interface {
	Queue
	// SetHandoff makes h the receiver of the deliveries of later commits;
	// nil stops the handoff.
	SetHandoff(h Handoff)
}

// Handoff is the dispatcher's side of a HandoffQueue.
type Handoff interface {
	// Reserve is called inside a writing transaction, before it leases
	// anything, with how many deliveries per endpoint it wrote: how many of
	// those the dispatcher takes now, and the lease to give them (from
	// Reservation.At). The places stay held until Deliver or Release. It
	// must be quick and never block.
	Reserve(written map[string]int) *Reservation
	// Deliver hands over what the committed transaction leased under r
	// (each an endpoint's within r.Room), and gives back the rest of r.
	// missed says the transaction wrote deliveries it did not lease: a
	// Claim must look for them.
	Deliver(r *Reservation, leased []Delivery, missed bool)
	// Release gives back r whole: the transaction leased nothing under it
	// (it failed, or did not commit). missed as in Deliver.
	Release(r *Reservation, missed bool)
}

// Reservation is the room a Handoff gave one transaction.
type Reservation struct {
	At    time.Time      // the lease runs from here, as a Claim's Now
	Lease time.Duration  // as ClaimRequest.Lease
	Room  map[string]int // per endpoint id, how many deliveries to lease at most
}

// Reserve implements Handoff: per endpoint, what was written up to the
// room want would claim for (in flight, waiting and already reserved
// counted) but with handoffReserve times the reserve, and without waiting
// for half the reserve to be used — a handoff costs no transaction of its
// own.
func (r *runner) Reserve(written map[string]int) *Reservation {
	r.mu.Lock()
	defer r.mu.Unlock()
	limit := r.concurrency - r.total - r.readyN - r.heldN
	if r.reserve > 0 {
		limit += r.concurrency
	}
	res := &Reservation{At: r.clock.Now(), Lease: r.lease, Room: map[string]int{}}
	for _, w := range r.Endpoints {
		if limit <= 0 {
			break
		}
		if r.disabled[w.ID] {
			continue
		}
		room := min(r.perEndpoint+handoffReserve*r.reserve-r.busy[w.ID]-len(r.ready[w.ID])-r.held[w.ID], limit, written[w.ID])
		if room > 0 {
			res.Room[w.ID] = room
			r.held[w.ID] += room
			r.heldN += room
			limit -= room
		}
	}
	return res
}

// Deliver implements Handoff: the leased deliveries wait for a worker like
// claimed ones (and, like them, are left for their lease to run out if
// they wait too long).
func (r *runner) Deliver(res *Reservation, leased []Delivery, missed bool) {
	r.mu.Lock()
	r.unhold(res)
	for _, dl := range leased {
		r.ready[dl.WebhookID] = append(r.ready[dl.WebhookID], claimed{dl, res.At})
	}
	r.readyN += len(leased)
	if missed {
		r.scan = true
	}
	r.mu.Unlock()
	r.signalFree()
}

// Release implements Handoff.
func (r *runner) Release(res *Reservation, missed bool) {
	r.mu.Lock()
	r.unhold(res)
	if missed {
		r.scan = true
	}
	r.mu.Unlock()
	if missed {
		r.signalFree()
	}
}

// unhold gives back res's places; r.mu held.
func (r *runner) unhold(res *Reservation) {
	for id, n := range res.Room {
		if r.held[id] -= n; r.held[id] <= 0 {
			delete(r.held, id)
		}
		r.heldN -= n
	}
}

// claimDue says whether Run should ask the Queue for due deliveries: always
// without a handoff; with one, only when a handoff missed some, at start,
// after a claim that filled what it asked for (more may wait), and every
// Poll (retries falling due, leases running out) — otherwise the handoff
// brings the new deliveries and a Claim would find nothing. want clears
// the flag when it asks for a claim; r.mu held.
func (r *runner) claimDue(now time.Time) bool {
	return !r.handoff || r.scan || now.Sub(r.scannedAt) >= r.poll
}

// handoffReserve is how many times the claims' reserve a handoff may leave
// waiting per endpoint: a batch's deliveries come at once, and what does
// not fit goes to a Claim, the dearer path.
const handoffReserve = 3
