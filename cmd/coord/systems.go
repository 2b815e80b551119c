package main

import (
	"context"

	"fmt"
	"strings"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/models"
)

// systemsCmd lists the systems' locations, prices and requirements.
type systemsCmd struct {
	runByApp
	app *app
}

func (c *systemsCmd) runWithClient(ctx context.Context, client *coordclient.Client) error {
	systems, err := client.Systems(ctx)
	if err != nil {
		return err
	}
	if c.app.opts.JSON {
		return printJSON(c.app.stdout, systems)
	}
	t := newTable(c.app.stdout)
	t.row("SYSTEM", "LOCATION", "ACCESS", "PRICE", "REQUIRES", "NAME")
	for _, s := range systems {
		for _, l := range s.Locations {
			t.row(s.SystemID, l.ID, l.OnlineAccessType, price(l.Price), requires(s.TransactionRequirements), l.GetName())
		}
	}
	return t.flush()
}

// price reads like "USD 4.00/60m, 15m steps, 10m free, max USD 24.00".
func price(p *models.Price) string {
	if p == nil {
		return ""
	}
	parts := []string{fmt.Sprintf("%s/%dm", coordclient.FormatMoney(p.Rate), p.RatePeriodMinutes)}
	if n := p.IncrementMinutes; n > 1 {
		parts = append(parts, fmt.Sprintf("%dm steps", n))
	}
	if n := p.GetGraceMinutes(); n > 0 {
		parts = append(parts, fmt.Sprintf("%dm free", n))
	}
	if p.MaxCost != nil {
		parts = append(parts, "max "+coordclient.FormatMoney(p.MaxCost))
	}
	return strings.Join(parts, ", ")
}

// requires lists a system's requirements beyond the JWT's claims.
func requires(r *models.TransactionRequirements) string {
	if r == nil {
		return ""
	}
	req := append([]string(nil), r.UsersAPIFields...)
	if r.GetLinkedAccount() {
		req = append(req, "linked_account")
	}
	return strings.Join(req, ",")
}
