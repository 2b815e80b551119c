package coordclient

import (
	"context"

	"github.com/coordapi/coord/client/systems"
	"github.com/coordapi/coord/models"
)

// Quote is what a session of minutes (1 to 10,080) would cost at location,
// by the rule that bills sessions, with the location's price. It needs no
// user: an app can show it before anyone signs in. A location without
// online sessions answers location_not_transactable.
func (c *Client) Quote(ctx context.Context, location string, minutes int) (*models.Quote, error) {
	p := systems.NewGetQuoteParamsWithTimeout(c.timeout).WithLocationID(location).WithDurationMinutes(int32(minutes))
	ctx, call := c.begin(ctx, "get_quote", "")
	ok, err := c.api.Systems.GetQuoteContext(ctx, p, c.KeyAuth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}
