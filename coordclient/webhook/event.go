package webhook

import "github.com/coordapi/coord/models"

// Event is the body of a delivery: the API's models.Event, the same JSON
// as an element of the event feed (GET /events). Data holds the session
// or the user as the change left it, by Type. A webhook.ping (sent by
// ping_webhook to check a receiver) has no seq and no user, and its data
// (the endpoint's webhook_id) is not one of EventData's fields.
type Event = models.Event
