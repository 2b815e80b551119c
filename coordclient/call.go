package coordclient

import (
	"context"
)

// call is one logical call of the SDK: its operation's name, for errors,
// and what the transport learnt about it over its attempts.
type call struct {
	op        string
	c         *Client
	token     string // the bearer token sent, if any: redacted from errors
	requestID string // X-Request-Id of the last response
}

type callKey struct{}

// begin starts a call of operation op, sending token (or none); pass the
// returned context to the generated client and the error to fail.
func (c *Client) begin(ctx context.Context, op, token string) (context.Context, *call) {
	cl := &call{op: op, c: c, token: token}
	return context.WithValue(ctx, callKey{}, cl), cl
}

// noteRequestID records the request id of a response on the call in ctx.
func noteRequestID(ctx context.Context, id string) {
	if cl, ok := ctx.Value(callKey{}).(*call); ok && id != "" {
		cl.requestID = id
	}
}

// fail is the error a caller sees: an *Error for an API error response,
// else the transport's error; either way named by the operation and free
// of the access key, the token and the query string.
func (cl *call) fail(err error) error {
	r := redactor{secrets: []string{cl.c.accessKey, cl.token}}
	if e := apiError(err); e != nil {
		e.RequestID = cl.requestID
		e.Message = r.text(e.Message)
		for i, d := range e.Details {
			e.Details[i] = r.text(d)
		}
		return &opError{op: cl.op, err: e}
	}
	return &opError{op: cl.op, err: r.err(err)}
}

// opError names the operation an error came from: "get_session 7: ...".
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// wrap is fail for a call not started with begin (which also records the
// request id and takes the token out): op names it, an API error response
// becomes an *Error, and URLs' queries, where the access key travels, are cut.
func wrap(op string, err error) error { return (&call{op: op, c: &Client{}}).fail(err) }
