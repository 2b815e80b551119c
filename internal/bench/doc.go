// Package bench is the load generator behind `make bench`: it seeds a
// database, starts a real users-server child process on loopback, drives it
// with closed-loop HTTP clients, and measures the same work against two
// baselines in the same run — a bare net/http server answering from memory
// (the HTTP limit of the machine) and the raw store statements without HTTP
// (the storage limit) — so that the figures that matter are ratios.
package bench
