package e2e

import (
	"os/exec"
	"testing"
)

// TestPeakSamplers: the tree sampler sees the memory of a process's child
// (a shell running python, which holds 64 MiB for a moment), not only of
// the process it was given; the one-process sampler sees the process's
// own.
func TestPeakSamplers(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	const hold = `import time; b = bytearray(64 << 20); time.sleep(0.5)`
	for _, c := range []struct {
		name  string
		cmd   *exec.Cmd
		watch func(pid int) *treePeak
	}{
		{"tree: a shell's child", exec.Command("sh", "-c", python+" -c '"+hold+"'; true"), watchTree},
		{"one process", exec.Command(python, "-c", hold), watchProcess},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			mem := c.watch(c.cmd.Process.Pid)
			if err := c.cmd.Wait(); err != nil {
				t.Fatal(err)
			}
			if kb := mem.Stop(); kb < 64<<10 {
				t.Errorf("peak %d KiB, want at least 64 MiB", kb)
			}
		})
	}
}
