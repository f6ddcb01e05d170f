package e2e

import (
	"os/exec"
	"testing"
)

// TestTreePeakCountsChildren: the sampler sees the memory of a process's
// child (a shell running python, which holds 64 MiB for a moment), not
// only of the process it was given.
func TestTreePeakCountsChildren(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	cmd := exec.Command("sh", "-c", python+` -c 'import time; b = bytearray(64 << 20); time.sleep(0.5)'; true`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	mem := watchTree(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if kb := mem.Stop(); kb < 64<<10 {
		t.Errorf("peak %d KiB, want at least 64 MiB", kb)
	}
}
