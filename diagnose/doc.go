// Package diagnose turns feed events into understanding: per-stream series
// of derived metrics, MOS, the rule set, and findings with plain-English
// messages.
//
// It owns the Monitor (Apply a calltop.v1 message; read a Snapshot for the
// TUI, the open findings for the alert engine, the stale participants for
// the no-data alert, and the Report for `calltop report`), the trust rules
// for counters (resets, wraps, duplicates, absurd values), the E-model MOS,
// the rule table (rules.go) and the finding, snapshot and report types
// other packages code against. docs/diagnoses.md describes the rules and
// their sources; docs/report-json.md the report's JSON.
//
// The Monitor (monitor.go) is split along the path of a stats sample, each
// step its own type and files, in this order:
//   - call model, callSet (calls.go, path.go, model.go): calls,
//     participants, connections, their states and selected network path;
//   - metrics (metrics.go, stream.go, trust.go, aggregate.go, history.go,
//     mos.go): trusted counters per stream, one sample per connection, the
//     participant's history and MOS;
//   - rules, ruleSet (eval.go, findings.go, rules.go): the rule table on
//     each sample, findings raised and cleared;
//   - views (snapshot_build.go, live.go, report.go, report_setup.go,
//     report_summary.go, report_text.go, calls_setup.go): the
//     Snapshot, the Report and the other read-outs.
//
// It is pure and deterministic: all time comes from the data's timestamps,
// never the wall clock, so live, replay at 8x and `calltop report` agree.
// It must not do network I/O, touch the terminal, or know about alerts'
// acknowledgements and mutes (diagnose/alert) or screens (tui).
package diagnose
