package coordclient

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// redactor keeps credentials out of error strings, which end up in logs:
// the access key travels in every URL's query, and net/http quotes the URL
// in its errors ("Get \"http://host/v1/users/systems?access_key=...\": dial tcp ...").
type redactor struct{ secrets []string }

// queryString is a URL's query inside a message: a "?" then, before any
// space or quote, a name=value pair ("...?access_key=...&jwt=...").
var queryString = regexp.MustCompile(`\?[^\s"'?]*=[^\s"']*`)

// text is s with every secret, and every query string, replaced.
func (r redactor) text(s string) string {
	for _, secret := range r.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return queryString.ReplaceAllString(s, "?[redacted]")
}

// err is err with its URL's query dropped and any secret taken out of its
// message. A *url.Error (what http.Client returns) is rebuilt around the
// same cause, so errors.Is and errors.As still see context.DeadlineExceeded,
// *net.OpError and the like.
func (r redactor) err(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		clean := &url.Error{Op: ue.Op, URL: withoutQuery(ue.URL), Err: ue.Err}
		if msg := clean.Error(); r.text(msg) != msg {
			return &redactedError{msg: r.text(msg), err: clean.Err}
		}
		return clean
	}
	if msg := err.Error(); r.text(msg) != msg {
		return &redactedError{msg: r.text(msg), err: errors.Unwrap(err)}
	}
	return err
}

// withoutQuery is raw without its query and fragment.
func withoutQuery(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// redactedError is an error whose message had to be cleaned; it unwraps to
// the cause below the message.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
