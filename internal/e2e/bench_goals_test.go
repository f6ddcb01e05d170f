package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/realmsync/realmsync/internal/gen"
)

// bigFilePreset is the large preset with 21 times its users: a users file
// of about 50 MB, the performance issue's file to validate in bounded
// memory.
var bigFilePreset = func() gen.Preset {
	p := gen.Large
	p.Name, p.Users = "50 MB users file", 21*gen.Large.Users
	return p
}()

// benchBigFile times `realmsync validate` of the big users file (no
// server: validate reads files only), its peak from /proc.
func benchBigFile(t *testing.T, bin string, report *strings.Builder) run {
	t.Helper()
	dir := t.TempDir()
	const realm = "bench-bigfile"
	if err := gen.WriteDir(dir, bigFilePreset, realm, 1); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, realm, "users.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := timed(t, bin, "validate", dir)
	if r.code != 0 {
		t.Fatalf("validate of the big users file failed:\n%s", tail(r.output))
	}
	row(report, bigFilePreset.Name, fmt.Sprintf("validate (%d users, %.0f MB)", bigFilePreset.Users, float64(info.Size())/1e6), r, "no server")
	return r
}

// The performance issue's goals, judged from the figures of this run.
const (
	goalMediumRatio  = 0.5   // medium no-op plan / the baseline build's
	goalLargeNoop    = 8.0   // seconds, large no-op plan
	goalScopedWall   = 1.0   // seconds, large one-user scoped plan
	goalOnePercentMB = 150   // MiB, large 1% change (plan and sync)
	goalBigFileMB    = 400   // MiB, validate of the 50 MB users file
	mib              = 1024. // KiB
)

// writeGoals adds the table of the performance issue's goals, each with
// the figure of this run it is judged by.
func writeGoals(b *strings.Builder, figures map[string]presetFigures, treeRealms int, treeRatio float64, bigFile run) {
	b.WriteString("\n## Goals of the performance issue, from this run\n\n| goal | figure | met |\n|---|---|---|\n")
	line := func(goal, figure string, met bool, measured bool) {
		verdict := "no"
		switch {
		case !measured:
			figure, verdict = "not measured in this run", "—"
		case met:
			verdict = "yes"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", goal, figure, verdict)
	}
	medium, hasMedium := figures["medium"]
	line(fmt.Sprintf("medium no-op plan in at most %.0f%% of the baseline build's time", goalMediumRatio*100),
		fmt.Sprintf("%.1f s, %.2f× the baseline's (each at its default concurrency; median of %d, alternating; %s); the reads every full plan needs, alone: %.2f×",
			medium.noop.wall.Seconds(), medium.baselineRatio, baselineRounds, medium.noop.cpuNote(), medium.floorRatio),
		medium.baselineRatio <= goalMediumRatio, hasMedium && medium.baselineRatio > 0)
	large, hasLarge := figures["large"]
	line(fmt.Sprintf("large no-op plan in at most %.0f s", goalLargeNoop),
		fmt.Sprintf("%.1f s, %d GETs (at the default concurrency)", large.noop.wall.Seconds(), large.noop.requests[0]),
		large.noop.wall.Seconds() <= goalLargeNoop, hasLarge)
	scopedRequests := large.scoped.requests[0] + large.scoped.writes() + large.scoped.exports
	line(fmt.Sprintf("large one-object change planned --changed-since in at most %d requests and under %.0f s", scopedPlanBound, goalScopedWall),
		fmt.Sprintf("%d requests, %.2f s", scopedRequests, large.scoped.wall.Seconds()),
		scopedRequests <= scopedPlanBound && large.scoped.wall.Seconds() < goalScopedWall, hasLarge && large.scoped.wall > 0)
	peak := max(large.plan1.rssKB, large.sync1.rssKB)
	line(fmt.Sprintf("large 1%% change peaks at most %d MiB", goalOnePercentMB),
		fmt.Sprintf("plan %.0f MiB, sync %.0f MiB", float64(large.plan1.rssKB)/mib, float64(large.sync1.rssKB)/mib),
		float64(peak)/mib <= goalOnePercentMB, hasLarge)
	line(fmt.Sprintf("a 50 MB users file validates in at most %d MiB", goalBigFileMB),
		fmt.Sprintf("%.0f MiB, %.1f s", float64(bigFile.rssKB)/mib, bigFile.wall.Seconds()),
		float64(bigFile.rssKB)/mib <= goalBigFileMB, bigFile.wall > 0)
	line("a tree of small realms planned with realms read concurrently (time against one realm's, reported)",
		fmt.Sprintf("%.2f× %d plans of one realm", treeRatio, treeRealms), true, treeRatio > 0)
}
