package tables

import (
	"context"
	"sort"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/tables/attr"
	"github.com/nubo-run/nubo/internal/tables/expr"
)

type transactGet struct {
	Get *struct {
		placeholders
		TableName            string    `json:"TableName"`
		Key                  attr.Item `json:"Key"`
		ProjectionExpression *string   `json:"ProjectionExpression"`
	} `json:"Get"`
}

type transactGetIn struct {
	TransactItems          []transactGet `json:"TransactItems"`
	ReturnConsumedCapacity string        `json:"ReturnConsumedCapacity"`
}

type itemResponse struct {
	Item attr.Item `json:"Item,omitempty"`
}

type transactGetOut struct {
	Responses []itemResponse `json:"Responses"`
}

func (in *transactGetIn) tables() []string {
	seen := map[string]bool{}
	var out []string
	for _, ti := range in.TransactItems {
		if ti.Get != nil && !seen[ti.Get.TableName] {
			seen[ti.Get.TableName] = true
			out = append(out, ti.Get.TableName)
		}
	}
	sort.Strings(out)
	return out
}

// maxSnapshotAttempts bounds how often a TransactGetItems reads again
// because a writer changed an item while it read.
const maxSnapshotAttempts = 10

// transactGet reads up to 100 items as one snapshot: it reads every item
// with its revision, then checks each is still at that revision; every
// item then held its value at the instant between the two passes. A write
// in between makes it read again.
func (s *Store) transactGet(c *awsapi.Call, in *transactGetIn) (transactGetOut, error) {
	if len(in.TransactItems) == 0 || len(in.TransactItems) > 100 {
		return transactGetOut{}, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	type target struct {
		kv   jetstream.KeyValue
		key  string
		proj []expr.Path
	}
	targets := make([]target, 0, len(in.TransactItems))
	seen := map[string]bool{}
	for _, ti := range in.TransactItems {
		if ti.Get == nil {
			return transactGetOut{}, validation("1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null")
		}
		g := ti.Get
		t, kv, err := s.table(c.Context(), g.TableName)
		if err != nil {
			return transactGetOut{}, err
		}
		env, err := g.env()
		if err != nil {
			return transactGetOut{}, err
		}
		proj, err := projection(g.ProjectionExpression, env)
		if err != nil {
			return transactGetOut{}, err
		}
		if err := env.CheckUnused(); err != nil {
			return transactGetOut{}, err
		}
		key, err := keyOf(t, g.Key, true)
		if err != nil {
			return transactGetOut{}, err
		}
		if seen[t.ID+"/"+key] {
			return transactGetOut{}, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[t.ID+"/"+key] = true
		targets = append(targets, target{kv: kv, key: key, proj: proj})
	}
	ctx := c.Context()
	for attempt := 0; attempt < maxSnapshotAttempts; attempt++ {
		items := make([]attr.Item, len(targets))
		revs := make([]uint64, len(targets))
		for i, tg := range targets {
			it, rev, err := s.getItemRaw(ctx, tg.kv, tg.key)
			if err != nil {
				return transactGetOut{}, err
			}
			items[i], revs[i] = it, rev
		}
		stable := true
		for i, tg := range targets {
			same, err := s.unchanged(ctx, tg.kv, &tg.key, revs[i])
			if err != nil {
				return transactGetOut{}, err
			}
			if !same {
				stable = false
				break
			}
		}
		if !stable {
			continue
		}
		out := transactGetOut{Responses: make([]itemResponse, len(targets))}
		for i, tg := range targets {
			if items[i] != nil {
				out.Responses[i].Item = expr.Project(items[i], tg.proj)
			}
		}
		return out, nil
	}
	return transactGetOut{}, awsapi.Errorf(400, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]")
}

// unchanged reports whether key is still at rev (0: absent).
func (s *Store) unchanged(ctx context.Context, kv jetstream.KeyValue, key *string, rev uint64) (bool, error) {
	if key == nil {
		return true, nil
	}
	_, cur, err := s.getItemRaw(ctx, kv, *key)
	if err != nil {
		return false, err
	}
	return cur == rev, nil
}
