package bench

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/token"
)

// User is a seeded user as a client holds it: its JWT and, when it has
// one, its active session.
type User struct {
	ID      string
	Token   string
	Session int64
}

// Users mints a token for each seeded user with the server's signing key
// and attaches the active session ids.
func Users(tokens *token.Tokens, partnerID string, seeded []SeedUser, active map[string]int64) ([]User, error) {
	users := make([]User, len(seeded))
	for i, s := range seeded {
		tok, err := tokens.Mint(&coord.User{UserID: s.ID, PartnerID: partnerID,
			Email: s.ID + "@bench.example", Name: "Bench Driver", Test: true})
		if err != nil {
			return nil, err
		}
		users[i] = User{ID: s.ID, Token: tok, Session: active[s.ID]}
	}
	return users, nil
}

// API builds the request targets of the operations the scenarios use.
type API struct {
	AccessKey string
	Location  string
}

// Session is get_session's target (also end_session's, plus "/end").
func (a API) Session(id int64) string {
	return "/v1/users/" + a.Location + "/session/" + strconv.FormatInt(id, 10) + "?access_key=" + a.AccessKey
}

// End is end_session's target.
func (a API) End(id int64) string {
	return "/v1/users/" + a.Location + "/session/" + strconv.FormatInt(id, 10) + "/end?access_key=" + a.AccessKey
}

// Start is post_session's target.
func (a API) Start() string {
	return "/v1/users/" + a.Location + "/session?access_key=" + a.AccessKey
}

// List is get_user_sessions' target; limit 0 leaves the default page.
func (a API) List(limit int) string {
	t := "/v1/users/session?access_key=" + a.AccessKey
	if limit > 0 {
		t += "&limit=" + strconv.Itoa(limit)
	}
	return t
}

// call sends a request and turns anything but 200 into an error.
func call(c *Conn, method, target, jwt string) ([]byte, error) {
	status, body, err := c.Do(method, target, jwt)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, target, err)
	}
	if status != 200 {
		return nil, fmt.Errorf("%s %s: %d %.200s", method, target, status, body)
	}
	return body, nil
}

// sessionID reads the id of a session in a response body.
func sessionID(body []byte) (int64, error) {
	var s struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(body, &s); err != nil || s.ID == 0 {
		return 0, fmt.Errorf("no session id in %.200s", body)
	}
	return s.ID, nil
}
