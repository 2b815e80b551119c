package catalog

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
)

// webhookDoc is one endpoint of a partner: partners[].webhooks[].
type webhookDoc struct {
	ID      string   `yaml:"id"`
	URL     string   `yaml:"url"`
	Secrets []string `yaml:"secrets"`
	Events  []string `yaml:"events"`
}

// webhookIDPattern keeps ids usable as a path segment (ping) and in logs.
var webhookIDPattern = locationIDPattern

// webhookEventTypes are the event types an endpoint may subscribe to: the
// event log's (DESIGN.md, "Live state and events"). webhook.ping is sent
// to an endpoint on request whatever its list, so it is not among them.
// TODO(#13): use the event log's constants once they exist.
var webhookEventTypes = []string{
	"session.created", "session.started", "session.ended", "session.cancelled",
	"user.vehicle_updated", "user.account_linked", "user.account_unlinked",
}

// buildWebhooks checks every partner's endpoints, with build's entry
// and fail, and attaches them to the built partners (same order as the
// document's). Ids are unique across the catalog, so that a delivery
// names its endpoint by id alone.
func (d document) buildWebhooks(partners []*coord.Partner,
	entry func(list, kind string, i int, id string, seen map[string]bool) string, fail func(string, ...any)) {
	ids := map[string]bool{}
	for i, p := range d.Partners {
		for j, w := range p.Webhooks {
			where := entry(fmt.Sprintf("partners[%d] %q webhooks", i, p.ID), "webhook", j, w.ID, ids)
			built, problems := w.build()
			if w.ID != "" && !webhookIDPattern.MatchString(w.ID) {
				problems = append(problems, fmt.Sprintf("id must match %s", webhookIDPattern))
			}
			for _, problem := range problems {
				fail("%s: %s", where, problem)
			}
			if len(problems) == 0 && w.ID != "" && i < len(partners) {
				partners[i].Webhooks = append(partners[i].Webhooks, built)
			}
		}
	}
}

// build returns the endpoint and what is wrong with it, one line each;
// a secret's value is never part of a message.
func (w webhookDoc) build() (*coord.Webhook, []string) {
	var problems []string
	if err := delivery.CheckURL(w.URL); err != nil {
		problems = append(problems, fmt.Sprintf("url %q: %v", redactURL(w.URL), err))
	}
	if len(w.Secrets) == 0 {
		problems = append(problems, "at least one secret (whsec_…) is required")
	}
	keys, err := webhook.ParseSecrets(w.Secrets)
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, e := range w.Events {
		if !slices.Contains(webhookEventTypes, e) {
			problems = append(problems, fmt.Sprintf("unknown event type %q (known: %s)", e, strings.Join(webhookEventTypes, ", ")))
		}
	}
	return &coord.Webhook{ID: w.ID, URL: w.URL, Keys: keys, Events: nonNil(w.Events)}, problems
}

// redactURL keeps an error message about a URL free of any password it
// might carry.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	return raw
}
