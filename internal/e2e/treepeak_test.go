package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// treePeak samples the peak memory of a process and of every process it
// starts, for the peers' rows of the benchmarks: OpenTofu runs its
// provider as a child, and getrusage's maximum for a child carries the
// test process's own over exec (the reason realmsync prints its VmHWM).
// The figure is the sum of each process's VmHWM, an upper bound of what
// the tree held at once; a process that lives less than one sampling
// interval can be missed.
type treePeak struct {
	stop chan struct{}
	done sync.WaitGroup
	hwm  map[int]int64 // pid → VmHWM in KiB
}

func watchTree(pid int) *treePeak {
	return watch(func(w *treePeak) { w.sample(pid) })
}

// watch runs sample every 50 ms until Stop.
func watch(sample func(*treePeak)) *treePeak {
	w := &treePeak{stop: make(chan struct{}), hwm: map[int]int64{}}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			sample(w)
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// watchProcess samples one process's VmHWM alone, every 50 ms: cheaper
// than watchTree, for a tool that starts no processes of its own.
func watchProcess(pid int) *treePeak {
	return watch(func(w *treePeak) {
		if kb := vmHWM(pid); kb > 0 { // 0: exited, the last sample stands
			w.hwm[pid] = kb
		}
	})
}

// Stop ends the sampling and returns the peak in KiB, as last sampled: an
// ended process's /proc entry holds no memory figures.
func (w *treePeak) Stop() int64 {
	close(w.stop)
	w.done.Wait()
	var sum int64
	for _, kb := range w.hwm {
		sum += kb
	}
	return sum
}

func (w *treePeak) sample(root int) {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid := parentOf(pid); ppid > 0 {
			children[ppid] = append(children[ppid], pid)
		}
	}
	for queue := []int{root}; len(queue) > 0; queue = queue[1:] {
		pid := queue[0]
		if kb := vmHWM(pid); kb > w.hwm[pid] {
			w.hwm[pid] = kb
		}
		queue = append(queue, children[pid]...)
	}
}

// parentOf reads the parent pid from /proc/PID/stat (the field after the
// state, which follows the command name's closing parenthesis).
func parentOf(pid int) int {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

func vmHWM(pid int) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
