// Command coord is a command line for the Coord Users API, built on the
// coordclient SDK: log in as a (test) user, set the vehicle, start, watch
// and end parking sessions, list systems and link accounts.
//
//	coord login --test --email driver@example.com
//	coord vehicle set --plate "AB C-123" --country us --subdivision ny
//	coord session start downtown-garage
//	coord session get downtown-garage 1 --watch
//	coord session end downtown-garage 1
//
// Output is a human-readable table, or JSON with --json. Errors go to
// stderr as "coord: <code>: <message>" with a non-zero exit status.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
