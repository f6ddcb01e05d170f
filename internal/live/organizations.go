package live

import (
	"context"

	"github.com/realmsync/realmsync/internal/model"
)

// organizations completes the organizations list: Keycloak keeps an
// organization's domains as a set and answers them in any order, so they
// are put in name order, as diff compares the desired ones.
func (rd *reader) organizations(context.Context) error {
	for _, n := range rd.nodes[model.KindOrganization] {
		if domains, ok := n.obj["domains"].([]any); ok {
			model.SortDomains(domains)
		}
	}
	return nil
}
