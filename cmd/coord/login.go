package main

import (
	"context"

	"github.com/coordapi/coord/coordclient"
)

// loginCmd mints a user JWT and saves it for the other commands.
type loginCmd struct {
	runByApp
	Test        bool   `long:"test" description:"a sandbox (test) user, minted with the access key alone"`
	ServerToken string `long:"server-token" env:"COORD_SERVER_TOKEN" description:"the partner backend's server token, to mint a real user's token"`
	Email       string `long:"email" required:"yes" description:"the user's email"`
	Name        string `long:"name" description:"the user's display name"`
	ExternalUID string `long:"external-uid" description:"the partner's id for the user (required for real users; test users default to the email)"`
	app         *app
}

func (c *loginCmd) check() error {
	if c.Test == (c.ServerToken != "") {
		return usageError("login needs exactly one of --test or --server-token")
	}
	if c.ServerToken != "" && c.ExternalUID == "" {
		return usageError("login --server-token needs --external-uid")
	}
	return nil
}

func (c *loginCmd) runWithClient(ctx context.Context, client *coordclient.Client) error {
	id := coordclient.Identity{Email: c.Email, Name: c.Name, ExternalUID: c.ExternalUID}
	var u *coordclient.UserClient
	var err error
	if c.Test {
		u, err = client.CreateTestUser(ctx, id)
	} else {
		u, err = client.AsServer(c.ServerToken).CreateUser(ctx, id)
	}
	if err != nil {
		return err
	}
	user, err := u.User(ctx)
	if err != nil {
		return err
	}
	path, err := saveToken(c.app.opts.URL, u.Token())
	if err != nil {
		return err
	}
	if c.app.opts.JSON {
		return printJSON(c.app.stdout, map[string]any{"jwt_token": u.Token(), "token_file": path, "user": user})
	}
	kind := "real user"
	if user.GetTest() {
		kind = "test user"
	}
	t := newTable(c.app.stdout)
	t.row("logged in", user.Email+" ("+kind+")")
	t.row("user", user.UserID.String())
	t.row("token", path)
	return t.flush()
}

// logoutCmd forgets the saved token.
type logoutCmd struct{ app *app }

func (c *logoutCmd) Execute([]string) error {
	path, err := removeToken()
	if err != nil {
		return err
	}
	if c.app.opts.JSON {
		return printJSON(c.app.stdout, map[string]string{"removed": path})
	}
	_, err = c.app.stdout.Write([]byte("logged out\n"))
	return err
}
