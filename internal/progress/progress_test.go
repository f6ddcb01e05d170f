package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestReporter(t *testing.T) {
	cases := []struct {
		name     string
		terminal bool
		want     []string
		notWant  []string
	}{
		{"log", false, []string{"applying: 2/4\n", "applying: 4/4\n"}, []string{"\r", "\x1b["}},
		{"terminal", true, []string{"\r\x1b[Kapplying [=======                       ] 1/4", "\r\x1b[Kapplying [===============               ] 2/4", "\r\x1b[K"}, []string{"\n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			r := New(&buf, tc.terminal, "applying", 4)
			clock := time.Unix(0, 0)
			r.now = func() time.Time { return clock }
			for i := 0; i < 4; i++ {
				r.Step(1)
				clock = clock.Add(10 * time.Second)
				if i == 2 {
					clock = clock.Add(-10 * time.Second) // a quick step: no report
				}
			}
			r.Finish()
			out := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output %q contains %q", out, w)
				}
			}
		})
	}
	var nilReporter *Reporter
	nilReporter.Step(1)
	nilReporter.Finish()
}
