package tables

import (
	"context"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// view is what a Query reads: the table or one of its indexes, with that
// one's key attributes.
type view struct {
	hash, rng string
	index     *Index
	global    bool
	table     *Table
}

// withIndex is t, or the table as the bucket holds it when t (this node's
// watched copy) does not have the index name yet: an index UpdateTable
// just added is queryable at once, on every node.
func (s *Store) withIndex(ctx context.Context, t *Table, name string) *Table {
	if name == "" {
		return t
	}
	for _, ixs := range [][]Index{t.GSIs, t.LSIs} {
		for _, ix := range ixs {
			if ix.IndexName == name {
				return t
			}
		}
	}
	if fresh, err := s.TableNow(ctx, t.Name); err == nil && fresh != nil && fresh.ID == t.ID {
		return fresh
	}
	return t
}

// viewOf resolves a Query's IndexName with DynamoDB's checks.
func viewOf(t *Table, name string, consistent bool, sel string) (*view, error) {
	if name == "" {
		return &view{hash: t.Hash(), rng: t.Range(), table: t}, nil
	}
	for _, ixs := range []struct {
		list   []Index
		global bool
	}{{t.GSIs, true}, {t.LSIs, false}} {
		for i := range ixs.list {
			ix := &ixs.list[i]
			if ix.IndexName != name {
				continue
			}
			if ixs.global && consistent {
				return nil, validation("Consistent reads are not supported on global secondary indexes")
			}
			if ixs.global && sel == "ALL_ATTRIBUTES" && ix.Projection.ProjectionType != "ALL" {
				return nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", name)
			}
			v := &view{index: ix, global: ixs.global, table: t}
			for _, k := range ix.KeySchema {
				if k.KeyType == "HASH" {
					v.hash = k.AttributeName
				} else {
					v.rng = k.AttributeName
				}
			}
			return v, nil
		}
	}
	return nil, validation("The table does not have the specified index: %s", name)
}

// keys are the view's and the table's key attributes.
func (v *view) keys() []string {
	out := []string{v.table.Hash()}
	if r := v.table.Range(); r != "" {
		out = append(out, r)
	}
	for _, k := range []string{v.hash, v.rng} {
		if k != "" && k != out[0] && (len(out) < 2 || k != out[1]) {
			out = append(out, k)
		}
	}
	return out
}

// cmp orders two items as the view does: its sort key, then the table's
// key (an index's keys need not be unique).
func (v *view) cmp(a, b stored) int {
	if v.rng != "" {
		if c, _ := attr.Compare(a.item[v.rng], b.item[v.rng]); c != 0 {
			return c
		}
	}
	return strings.Compare(a.key, b.key)
}

func (v *view) sort(items []stored) {
	sortStable(items, func(a, b stored) bool { return v.cmp(a, b) < 0 })
}

// position is an ExclusiveStartKey as a point in the view's order.
func (v *view) position(t *Table, start attr.Item) (stored, error) {
	key, err := keyOf(t, keyItem(t, start), true)
	if err != nil {
		return stored{}, validation("The provided starting key is invalid: %s", strings.TrimPrefix(err.Error(), "ValidationException: "))
	}
	if v.rng != "" {
		if _, ok := start[v.rng]; !ok {
			return stored{}, validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
	}
	return stored{key: key, item: start}, nil
}

// lastKey is a LastEvaluatedKey: the table's key, and on an index the
// index's key attributes too.
func (v *view) lastKey(t *Table) func(attr.Item) attr.Item {
	return func(it attr.Item) attr.Item {
		out := keyItem(t, it)
		for _, k := range []string{v.hash, v.rng} {
			if k != "" {
				out[k] = it[k]
			}
		}
		return out
	}
}

func sortStable(items []stored, less func(a, b stored) bool) {
	sort.SliceStable(items, func(i, j int) bool { return less(items[i], items[j]) })
}
