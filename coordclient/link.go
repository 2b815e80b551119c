package coordclient

import (
	"net/url"
)

// LinkURL is the address to open in the user's browser to link their
// account with a system. The browser is sent on to the system (or, for test
// users, to a demo permission page) and finally to redirectURI with
// system_id, linked_account and state; redirectURI must start with one of
// the partner's registered prefixes.
//
// The URL carries the user's JWT, as link_account requires: hand it to that
// user's browser only.
func (u *UserClient) LinkURL(systemID, redirectURI, state string) string {
	q := url.Values{
		"access_key":   {u.c.accessKey},
		"jwt":          {u.token},
		"system_id":    {systemID},
		"redirect_uri": {redirectURI},
	}
	if state != "" {
		q.Set("state", state)
	}
	link := u.c.base
	link.Path += "/user/current/link_account"
	link.RawQuery = q.Encode()
	return link.String()
}
