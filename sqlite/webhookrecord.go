package sqlite

import (
	"context"
	"encoding/json"

	"github.com/coordapi/coord/delivery"
)

// commitRecords is the webhook queue's delivery.RecordGroups.Commit: a
// group of outcomes as one request of the API's group commit, so that
// under load it rides in a batch that commits (and fsyncs) anyway rather
// than taking a turn of the one writer between batches; idle, it commits
// alone. A group is two statements whatever its size
// (recordGroup): the committer runs every batch's statements one after
// another, so each one saved is time no API write waits.
func (q *WebhookQueue) commitRecords(ctx context.Context, group []delivery.Recorded) ([]bool, error) {
	stale := make([]bool, len(group))
	err := q.db.write(ctx, func(ctx context.Context, tx querier) error {
		// recordGroup tells stale outcomes apart by delivery id, so two
		// outcomes of one delivery go to statements one after the other:
		// the second finds the first's record (and its claim gone).
		for from := 0; from < len(group); {
			to := distinctRun(group, from)
			if err := recordGroup(ctx, tx, group[from:to], stale[from:to]); err != nil {
				return err
			}
			from = to
		}
		return nil
	})
	return stale, q.db.fail(err, "record webhook attempts")
}

// distinctRun is the end of the longest run of group from from on in which
// no delivery has two outcomes.
func distinctRun(group []delivery.Recorded, from int) int {
	seen := make(map[int64]bool, len(group)-from)
	for i := from; i < len(group); i++ {
		if seen[group[i].Delivery.ID] {
			return i
		}
		seen[group[i].Delivery.ID] = true
	}
	return len(group)
}

// recorded is one outcome as recordGroup's statements read it from JSON.
type recorded struct {
	ID        int64  `json:"id"`
	Claim     string `json:"claim"`
	State     string `json:"state"` // the delivery's: pending when retrying
	Inc       int    `json:"inc"`   // 1 when retrying: the attempt to make next
	Next      *int64 `json:"next"`
	WebhookID string `json:"webhook"`
	EventID   string `json:"event"`
	Attempt   int    `json:"attempt"`
	Outcome   string `json:"outcome"`
	At        int64  `json:"at"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Latency   int64  `json:"latency"`
}

func recordOf(d delivery.Delivery, o delivery.Outcome) recorded {
	r := recorded{ID: d.ID, Claim: d.Claim, State: string(o.State), WebhookID: d.WebhookID, EventID: d.EventID,
		Attempt: d.Attempt, Outcome: string(o.State), At: o.AttemptedAt.UnixMilli(), Status: o.StatusCode,
		Error: o.Error, Latency: o.Latency.Milliseconds()}
	if o.State == delivery.Retrying {
		next := o.NextAttempt.UnixMilli()
		r.State, r.Inc, r.Next = "pending", 1, &next
	}
	return r
}

// recordGroup stores a group of outcomes, each of a different delivery:
// the deliveries' rows in one UPDATE (those whose claim no longer holds
// are left, stale), the attempts of the others in one INSERT.
func recordGroup(ctx context.Context, tx querier, group []delivery.Recorded, stale []bool) error {
	recs := make([]recorded, len(group))
	for i, r := range group {
		recs[i] = recordOf(r.Delivery, r.Outcome)
	}
	list, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `UPDATE webhook_deliveries AS d SET state = j.value->>'state',
			attempt = d.attempt + (j.value->>'inc'), next_at = coalesce(j.value->>'next', d.next_at), lease_until = 0, claim = ''
		FROM json_each(?) AS j
		WHERE d.id = j.value->>'id' AND d.claim = j.value->>'claim' AND d.state = 'pending'
		RETURNING id`, string(list))
	if err != nil {
		return err
	}
	held := make(map[int64]bool, len(group))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		held[id] = true
	}
	if err := rows.Close(); err != nil {
		return err
	}
	kept := recs[:0:0]
	for i, r := range recs {
		if stale[i] = !held[r.ID]; !stale[i] {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	if list, err = json.Marshal(kept); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (webhook_id, event_id, attempt, state,
			attempted_at, status_code, error, latency_ms, next_at)
		SELECT value->>'webhook', value->>'event', value->>'attempt', value->>'outcome', value->>'at',
			value->>'status', value->>'error', value->>'latency', value->>'next'
		FROM json_each(?) ORDER BY key`, string(list)); err != nil {
		return err
	}
	for _, r := range kept {
		if r.Outcome == string(delivery.Disabled) {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_fingerprint = fingerprint WHERE webhook_id = ?`, r.WebhookID); err != nil {
				return err
			}
		}
	}
	return nil
}
