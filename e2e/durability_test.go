package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord/client/sessions"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

// TestKillAfterAcknowledgedWritesLosesNothing kills the server with SIGKILL
// right after a 200 from post_session and from end_session: after a restart
// on the same file the session reads back identical.
func TestKillAfterAcknowledgedWritesLosesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "coord.db")
	srv := startServer(t, "--db", db)
	auth := newTestDriver(t, srv, "crash@example.com")

	created, err := srv.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID("downtown-garage"), auth)
	if err != nil {
		t.Fatal(err)
	}
	srv.kill()

	srv = startServer(t, "--db", db)
	id := created.Payload.ID
	got := readSession(t, srv, auth, id)
	if wire(got) != wire(created.Payload) {
		t.Fatalf("after SIGKILL and restart the session differs:\nbefore %s\nafter  %s", wire(created.Payload), wire(got))
	}

	ended, err := srv.Client.Sessions.EndSession(sessions.NewEndSessionParams().WithLocationID("downtown-garage").WithSessionID(id), auth)
	if err != nil {
		t.Fatal(err)
	}
	srv.kill()

	srv = startServer(t, "--db", db)
	if got := readSession(t, srv, auth, id); wire(got) != wire(ended.Payload) {
		t.Fatalf("after SIGKILL and restart the ended session differs:\nbefore %s\nafter  %s", wire(ended.Payload), wire(got))
	}
	again, err := srv.Client.Sessions.EndSession(sessions.NewEndSessionParams().WithLocationID("downtown-garage").WithSessionID(id), auth)
	if err != nil || wire(again.Payload) != wire(ended.Payload) {
		t.Fatalf("ending again after the restart billed anew: %v %s", err, wire(again.Payload))
	}
}

// newTestDriver makes a sandbox user through the API with a plate set, so
// it can start sessions at the demo's license_plate location.
func newTestDriver(t *testing.T, srv *server, email string) runtime.ClientAuthInfoWriter {
	t.Helper()
	tok, err := srv.Client.Testing.CreateTestJwt(testingops.NewCreateTestJwtParams().WithBody(&models.TestJWTRequest{Email: email}),
		apitest.KeyAuth(apitest.DemoAccessKey))
	if err != nil {
		t.Fatalf("create_test_jwt: %v", err)
	}
	auth := apitest.UserAuth(apitest.DemoAccessKey, tok.Payload.JwtToken)
	text, country := "abc123", "us"
	_, err = srv.Client.Users.PutVehicle(users.NewPutVehicleParams().WithBody(&models.Vehicle{
		LicensePlate: &models.LicensePlate{Text: text, Country: country}}), auth)
	if err != nil {
		t.Fatalf("put_vehicle: %v", err)
	}
	return auth
}

func readSession(t *testing.T, srv *server, auth runtime.ClientAuthInfoWriter, id int64) *models.Session {
	t.Helper()
	ok, err := srv.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID("downtown-garage").WithSessionID(id), auth)
	if err != nil {
		t.Fatalf("get_session %d: %v", id, err)
	}
	return ok.Payload
}

// wire is a session as the API shows it.
func wire(s *models.Session) string {
	b, _ := json.Marshal(s)
	return string(b)
}
