package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/jessevdk/go-flags"

	"github.com/coordapi/coord/coordclient"
)

// globalOptions apply to every command.
type globalOptions struct {
	URL       string        `long:"url" env:"COORD_URL" default:"http://localhost:8080" description:"the server's base URL, with any path prefix in front of /v1/users"`
	AccessKey string        `long:"access-key" env:"COORD_ACCESS_KEY" default:"demo-access-key" description:"the partner application's access key"`
	Token     string        `long:"token" env:"COORD_TOKEN" description:"the user's JWT (default: the one saved by coord login)"`
	CACert    string        `long:"ca-cert" env:"COORD_CA_CERT" description:"PEM file of the certificate authority to trust for https (a private or self-signed server)"`
	Timeout   time.Duration `long:"timeout" env:"COORD_TIMEOUT" default:"15s" description:"bound on each request"`
	JSON      bool          `long:"json" description:"print JSON for scripts instead of tables"`
}

// app is what every command shares: the options and the output streams.
type app struct {
	opts   globalOptions
	stdout io.Writer
	stderr io.Writer
}

// exit statuses
const (
	exitOK    = 0
	exitError = 1 // the API or the network said no
	exitUsage = 2 // bad command line
)

// run parses args, runs the command and reports any error on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	parser := newParser(a)
	if _, err := parser.ParseArgs(args); err != nil {
		var flagsErr *flags.Error
		if errors.As(err, &flagsErr) {
			if flagsErr.Type == flags.ErrHelp {
				fmt.Fprintln(stdout, flagsErr.Message)
				return exitOK
			}
			fmt.Fprintf(stderr, "coord: %s\n", flagsErr.Message)
			writeUsage(stderr, parser)
			return exitUsage
		}
		var usage usageError
		if errors.As(err, &usage) {
			fmt.Fprintf(stderr, "coord: %s\n", usage)
			writeUsage(stderr, parser)
			return exitUsage
		}
		a.report(err)
		return exitError
	}
	return exitOK
}

// usageError is a command line the flags parser accepted but the command
// cannot run (options that exclude each other).
type usageError string

func (e usageError) Error() string { return string(e) }

// client builds the SDK client from the global options.
func (a *app) client() (*coordclient.Client, error) {
	opts := []coordclient.Option{coordclient.WithTimeout(a.opts.Timeout)}
	if a.opts.CACert != "" {
		pem, err := os.ReadFile(a.opts.CACert)
		if err != nil {
			return nil, fmt.Errorf("--ca-cert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert: no PEM certificate in %s", a.opts.CACert)
		}
		opts = append(opts, coordclient.WithRootCAs(pool))
	}
	return coordclient.New(a.opts.URL, a.opts.AccessKey, opts...)
}

// user is a client acting as the logged-in user (--token, or the saved token).
func (a *app) user() (*coordclient.UserClient, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	tok := a.opts.Token
	if tok == "" {
		if tok, err = loadToken(a.opts.URL); err != nil {
			return nil, err
		}
	}
	return c.AsUser(tok), nil
}

// The commands: each checks its own flags (checkedCommand), then gets
// what it runs with from app.execute, the parser's CommandHandler, which
// builds it once: the client, as the logged-in user (userCommand) or not
// (clientCommand), and a context that Ctrl-C cancels, so that a watch ends
// cleanly. Commands needing neither (logout) run their Execute.
type (
	checkedCommand interface{ check() error } // flag rules go-flags cannot state
	userCommand    interface {
		runAsUser(ctx context.Context, u *coordclient.UserClient) error
	}
	clientCommand interface {
		runWithClient(ctx context.Context, c *coordclient.Client) error
	}
)

// runByApp gives a command the Execute go-flags looks for; app.execute runs
// the command instead.
type runByApp struct{}

func (runByApp) Execute([]string) error {
	return errors.New("coord: a command ran outside app.execute")
}

// execute is the parser's CommandHandler.
func (a *app) execute(cmd flags.Commander, args []string) error {
	if c, ok := cmd.(checkedCommand); ok {
		if err := c.check(); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch c := cmd.(type) {
	case userCommand:
		u, err := a.user()
		if err != nil {
			return err
		}
		return c.runAsUser(ctx, u)
	case clientCommand:
		client, err := a.client()
		if err != nil {
			return err
		}
		return c.runWithClient(ctx, client)
	}
	return cmd.Execute(args)
}
