package e2e

// The server's CPU time, for the benchmark: on a machine that runs both
// realmsync and Keycloak, a plan's wall time cannot fall below the CPU
// both spend divided by the cores, so the bench reports the two apart.

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is the unit of /proc/PID/stat's times (USER_HZ, 100 on
// Linux everywhere it matters here).
const clockTicks = 100

var serverProcess struct {
	once sync.Once
	pid  int // 0: not found (not on this machine, or not Linux)
}

// serverPID is the process listening on the server URL's port on this
// machine, found through /proc: the socket's inode in /proc/net/tcp*,
// then the process holding it.
func serverPID() int {
	serverProcess.once.Do(func() {
		u, err := url.Parse(server.url)
		if err != nil || u.Port() == "" {
			return
		}
		port, err := strconv.Atoi(u.Port())
		if err != nil {
			return
		}
		inode := listeningInode(port)
		if inode == "" {
			return
		}
		fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
		for _, fd := range fds {
			if link, err := os.Readlink(fd); err == nil && link == "socket:["+inode+"]" {
				serverProcess.pid, _ = strconv.Atoi(strings.Split(fd, "/")[2])
				return
			}
		}
	})
	return serverProcess.pid
}

// listeningInode is the inode of the socket listening on port, from the
// kernel's tables (state 0A is LISTEN).
func listeningInode(port int) string {
	suffix := fmt.Sprintf(":%04X", port)
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && strings.HasSuffix(f[1], suffix) && f[3] == "0A" {
				return f[9]
			}
		}
	}
	return ""
}

// serverCPU is the server process's CPU time so far (user and system),
// or -1 where it cannot be read.
func serverCPU() time.Duration {
	pid := serverPID()
	if pid == 0 {
		return -1
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(f) < 13 {
		return -1
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}
