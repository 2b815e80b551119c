package bench

import "time"

// Row is one line of the report: one subject measured in one scenario.
type Row struct {
	Scenario string // poll, lifecycle, list, rss
	Backend  string // sqlite, postgres; "-" for the HTTP baseline
	Subject  string // what was measured
	Result
	// Ratio to the scenario's baseline; 0 on the baselines themselves.
	Ratio float64
	// Server resources while the row ran; zero for in-process subjects.
	CPU     float64       // cores used on average
	CPUReq  time.Duration // CPU time per request: steadier than rates on a shared machine
	PeakRSS int64         // VmHWM so far, bytes
}

// Check is one target, met or not.
type Check struct {
	What   string
	Value  string
	Target string
	Met    bool
}

// Report is everything a run measured.
type Report struct {
	Rows   []Row
	Checks []Check
	Notes  []string
}
