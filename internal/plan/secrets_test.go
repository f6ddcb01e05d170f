package plan_test

import (
	"bytes"
	"testing"

	"github.com/realmsync/realmsync/internal/model"
	"github.com/realmsync/realmsync/internal/plan"
)

// leakyPlan holds secrets everywhere an entity can: desired and live
// fields, and sensitive changes that wrongly carry values, which the
// model never produces but no renderer may trust.
func leakyPlan() *plan.Plan {
	p := &plan.Plan{}
	p.Add(
		create("acme", model.KindClient, "new", model.Object{"clientId": "new", "secret": topSecret},
			plan.Change{Path: "secret", Sensitive: true, After: topSecret}),
		modify("acme", model.KindClient, "api", model.Object{"clientId": "api", "secret": topSecret},
			model.Object{"clientId": "api", "secret": oldSecret},
			plan.Change{Path: "secret", Sensitive: true, Before: oldSecret, After: topSecret,
				Added: []string{topSecret}, Removed: []string{oldSecret}}),
		modify("acme", model.KindRealm, "acme",
			model.Object{"smtpServer": map[string]any{"password": smtpPass}}, model.Object{},
			plan.Change{Path: "smtpServer.password", Sensitive: true}),
		remove("acme", model.KindClient, "old", model.Object{"clientId": "old", "secret": oldSecret}),
	)
	return p
}

// TestNoRenderingShowsSecrets renders plans with planted secrets into
// every view: PR comments and CI logs are read by many.
func TestNoRenderingShowsSecrets(t *testing.T) {
	plans := map[string]*plan.Plan{"leaky": leakyPlan()}
	for _, c := range renderCases {
		plans[c.name] = c.plan()
	}
	for name, p := range plans {
		for _, v := range views {
			out := render(t, v, p)
			for _, secret := range []string{topSecret, oldSecret, smtpPass} {
				if bytes.Contains(out, []byte(secret)) {
					t.Errorf("%s.%s shows secret %q:\n%s", name, v.name, secret, out)
				}
			}
		}
	}
}
