package httpapi

import (
	"net/url"
	"strconv"

	"github.com/coordapi/coord"
)

// nextPage is the RFC 8288 Link header of a full page of sessions: the next
// page's query, relative to the request's URL so that it survives a proxy's
// path prefix. A shorter page is the last: no link. Credentials are not
// copied into it; the caller sends them as for any request.
func nextPage(page []*coord.Session, limit int32) string {
	if limit <= 0 || len(page) < int(limit) {
		return ""
	}
	q := url.Values{
		"limit":     {strconv.Itoa(int(limit))},
		"before_id": {strconv.FormatInt(page[len(page)-1].ID, 10)},
	}
	return "<?" + q.Encode() + `>; rel="next"`
}
