package delivery

import (
	"errors"
	"net/url"
)

// CheckURL says whether raw can be an endpoint: an absolute http or https
// URL with a host. User info is refused (credentials belong in the
// secrets, and the delivery log names the URL's host), and so is a
// fragment, which an HTTP request never carries.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || raw == "":
		return errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("must have a host")
	case u.User != nil:
		return errors.New("must not carry user info")
	case u.Fragment != "":
		return errors.New("must not have a fragment")
	}
	return nil
}
