package httpapi

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/go-openapi/runtime"
)

// strictJSON is go-openapi's JSON consumer (numbers kept as json.Number)
// that also refuses anything but white space after the value: the stock
// one decodes the first value and ignores the rest, so a malformed body
// such as {"resource_id":"a"}} was taken for a good one.
func strictJSON() runtime.Consumer {
	return runtime.ConsumerFunc(func(r io.Reader, data any) error {
		dec := json.NewDecoder(r)
		dec.UseNumber()
		if err := dec.Decode(data); err != nil {
			return err
		}
		if _, err := dec.Token(); err != io.EOF {
			return errors.New("unexpected data after the JSON value")
		}
		return nil
	})
}
