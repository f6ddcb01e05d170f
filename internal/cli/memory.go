package cli

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// peakMemoryKiB is the process's peak resident set since it started
// (Linux's VmHWM), or false where /proc does not say. Not getrusage: its
// maximum carries over exec from the parent that started the process (a
// benchmark harness holding a large realm in memory would be counted).
func peakMemoryKiB() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
