package bench

import (
	"fmt"
	"io"
	"slices"
)

// Print writes the report as Markdown tables, ready for BENCHMARKS.md.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintln(w, "| scenario | backend | subject | req/s | p50 | p99 | p99.9 | errors | ratio | server CPU | CPU/req | server peak RSS |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, row := range r.Rows {
		ratio, cpu, perReq, rss := "", "", "", ""
		if row.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f×", row.Ratio)
		}
		if row.CPU > 0 {
			cpu = fmt.Sprintf("%.2f cores", row.CPU)
		}
		if row.CPUReq > 0 {
			perReq = fmt.Sprintf("%d µs", row.CPUReq.Microseconds())
		}
		if row.PeakRSS > 0 {
			rss = mib(row.PeakRSS)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %s | %s | %s | %d | %s | %s | %s | %s |\n",
			row.Scenario, row.Backend, row.Subject, row.Rate(), ms(row.P50), ms(row.P99), ms(row.P999),
			row.Errors, ratio, cpu, perReq, rss)
	}
	fmt.Fprintln(w)
	if slices.ContainsFunc(r.Rows, func(row Row) bool { return row.Ratio > 0 }) {
		fmt.Fprintln(w, "Ratios: poll and lifecycle compare request rates with the baseline row above them (the poll")
		fmt.Fprintln(w, "floor with bare net/http, users-server with the floor); list compares server CPU per request")
		fmt.Fprintln(w, "with the short-history baseline row.")
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "| target | measured | goal | met |")
	fmt.Fprintln(w, "|---|--:|--:|---|")
	for _, c := range r.Checks {
		met := "yes"
		if !c.Met {
			met = "**no**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", c.What, c.Value, c.Target, met)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w)
		fmt.Fprintln(w, n)
	}
}
