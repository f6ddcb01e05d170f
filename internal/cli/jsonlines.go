package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// jsonLines turns everything written to stderr in --log-format json into
// JSON log records, one per line, so that a log pipeline never meets a
// plain line: errors (level ERROR), warnings, progress and the apply log
// (INFO). The request log of the admin client writes JSON itself, to the
// stream underneath.
type jsonLines struct {
	mu   sync.Mutex
	log  *slog.Logger
	buf  bytes.Buffer
	last slog.Level // an indented line continues the one before
}

func newJSONLines(w io.Writer) *jsonLines {
	return &jsonLines{log: slog.New(slog.NewJSONHandler(w, nil))}
}

func (j *jsonLines) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buf.Write(p)
	for {
		line, err := j.buf.ReadString('\n')
		if err != nil { // no newline yet: keep the rest for later
			j.buf.Reset()
			j.buf.WriteString(line)
			return len(p), nil
		}
		j.emit(strings.TrimRight(line, "\r\n"))
	}
}

// Close writes a last line that had no newline.
func (j *jsonLines) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.buf.Len() > 0 {
		j.emit(j.buf.String())
		j.buf.Reset()
	}
	return nil
}

func (j *jsonLines) emit(line string) {
	if strings.TrimSpace(line) == "" {
		return
	}
	level := slog.LevelInfo
	switch {
	case strings.HasPrefix(line, " "):
		level = j.last
	case strings.HasPrefix(line, "error: "):
		level, line = slog.LevelError, strings.TrimPrefix(line, "error: ")
	case strings.HasPrefix(line, "warning: "):
		level, line = slog.LevelWarn, strings.TrimPrefix(line, "warning: ")
	}
	j.last = level
	j.log.Log(context.Background(), level, strings.TrimSpace(line))
}

// structuredStderr switches the app's stderr to JSON lines when the
// command's flags ask for --log-format json. The returned function writes
// what is left; call it when the command ends.
func (a *app) structuredStderr(c *connFlags) func() {
	if !strings.EqualFold(c.logFormat, "json") {
		return func() {}
	}
	raw := a.stderr
	lines := newJSONLines(raw)
	a.stderr = lines
	c.logSink = raw
	return func() { _ = lines.Close(); a.stderr = raw }
}
