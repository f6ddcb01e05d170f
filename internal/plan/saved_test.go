package plan_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/realmsync/realmsync/internal/plan"
	"github.com/realmsync/realmsync/internal/report"
)

func TestSavedPlanMatches(t *testing.T) {
	saved, err := plan.NewSaved(updatePlan(), "sha256:abc")
	if err != nil {
		t.Fatal(err)
	}
	withWarning := updatePlan()
	withWarning.Warnings = append(withWarning.Warnings, "sync would refuse this plan: ...")
	for _, c := range []struct {
		name string
		p    *plan.Plan
		want bool
	}{
		{"same", updatePlan(), true},
		{"warnings differ", withWarning, true},
		{"other changes", mixedPlan(), false},
		{"empty", &plan.Plan{}, false},
	} {
		got, err := saved.Matches(c.p)
		if err != nil || got != c.want {
			t.Errorf("%s: Matches = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	// Round trip through a file.
	path := filepath.Join(t.TempDir(), "plan.json")
	data, _ := json.Marshal(saved)
	if err := report.WriteFileAtomic(path, data); err != nil {
		t.Fatal(err)
	}
	back, err := plan.ReadSaved(path)
	if err != nil || back.Desired != "sha256:abc" {
		t.Fatalf("ReadSaved: %+v, %v", back, err)
	}
	if ok, _ := back.Matches(updatePlan()); !ok {
		t.Error("the plan read back does not match")
	}
	if err := report.WriteFileAtomic(path, []byte(`{"format":"other"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := plan.ReadSaved(path); err == nil {
		t.Error("a file of another format was read as a saved plan")
	}
}
