// Package report writes what a run found for machines that watch it:
// Prometheus text-format metrics for node_exporter's textfile collector,
// and the JSON plan as a report file. Files are replaced atomically (write
// to a temporary file in the same directory, then rename), so a collector
// never reads half a file.
package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// Run is what the metrics describe besides the plan.
type Run struct {
	Realms  []string
	Success bool
	// Strict: the run looked outside Git too (--strict); only then are
	// the strict series written, zeros included.
	Strict   bool
	Started  time.Time
	Duration time.Duration
}

var verbs = []plan.Verb{plan.Create, plan.Update, plan.Replace, plan.Delete}

// Metrics renders the Prometheus text format. Every realm × kind × verb
// series is present, zero included, so that alerts on a value work from
// the first run and a series never vanishes when drift is repaired.
func Metrics(p *plan.Plan, run Run) []byte {
	counts := map[string]int{}
	for _, a := range p.Actions {
		counts[a.Realm+"\x00"+a.Kind+"\x00"+string(a.Verb)]++
	}
	var b bytes.Buffer
	b.WriteString("# HELP realmsync_drift_objects Objects whose live state differs from the desired state, by realm, kind and the verb that would repair them.\n")
	b.WriteString("# TYPE realmsync_drift_objects gauge\n")
	for _, realm := range run.Realms {
		for _, k := range model.Kinds() {
			for _, v := range verbs {
				fmt.Fprintf(&b, "realmsync_drift_objects{realm=%s,kind=%s,verb=%s} %d\n",
					label(realm), label(k.Name), label(string(v)), counts[realm+"\x00"+k.Name+"\x00"+string(v)])
			}
		}
	}
	strict := map[string]int{}
	for _, f := range p.Strict {
		strict[f.Realm+"\x00"+f.Kind+"\x00"+string(f.What)]++
	}
	if run.Strict {
		b.WriteString("# HELP realmsync_strict_drift_objects What strict drift found outside Git's control (plan/drift --strict), by realm, kind and finding: unmanaged objects, and fields the files leave out that differ from a new object's.\n")
		b.WriteString("# TYPE realmsync_strict_drift_objects gauge\n")
		for _, realm := range run.Realms {
			for _, k := range model.Kinds() {
				for _, what := range []plan.FindingKind{plan.Unmanaged, plan.UnmanagedField} {
					fmt.Fprintf(&b, "realmsync_strict_drift_objects{realm=%s,kind=%s,finding=%s} %d\n",
						label(realm), label(k.Name), label(string(what)), strict[realm+"\x00"+k.Name+"\x00"+string(what)])
				}
			}
		}
	}
	success := 0
	if run.Success {
		success = 1
	}
	fmt.Fprintf(&b, "# HELP realmsync_last_run_success Whether the last run read the server and planned without error (1) or not (0).\n")
	fmt.Fprintf(&b, "# TYPE realmsync_last_run_success gauge\nrealmsync_last_run_success %d\n", success)
	fmt.Fprintf(&b, "# HELP realmsync_last_run_timestamp_seconds When the last run started, in seconds since the epoch.\n")
	fmt.Fprintf(&b, "# TYPE realmsync_last_run_timestamp_seconds gauge\nrealmsync_last_run_timestamp_seconds %s\n", seconds(float64(run.Started.UnixMilli())/1000))
	fmt.Fprintf(&b, "# HELP realmsync_last_run_duration_seconds How long the last run took.\n")
	fmt.Fprintf(&b, "# TYPE realmsync_last_run_duration_seconds gauge\nrealmsync_last_run_duration_seconds %s\n", seconds(run.Duration.Seconds()))
	return b.Bytes()
}

func seconds(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// label quotes a label value as the text format wants.
func label(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// WriteFileAtomic replaces path with data.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
