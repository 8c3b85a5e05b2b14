package tables

import (
	"sort"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/tables/attr"
	"github.com/nubo-run/nubo/internal/tables/expr"
)

type keysAndAttributes struct {
	placeholders
	Keys                 []attr.Item `json:"Keys"`
	ProjectionExpression *string     `json:"ProjectionExpression"`
	ConsistentRead       bool        `json:"ConsistentRead"`
	AttributesToGet      []string    `json:"AttributesToGet"`
}

type batchGetIn struct {
	RequestItems           map[string]keysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                       `json:"ReturnConsumedCapacity"`
}

type batchGetOut struct {
	Responses       map[string][]attr.Item       `json:"Responses"`
	UnprocessedKeys map[string]keysAndAttributes `json:"UnprocessedKeys"`
}

func (in *batchGetIn) tables() []string {
	out := make([]string, 0, len(in.RequestItems))
	for n := range in.RequestItems {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *Store) batchGet(c *awsapi.Call, in *batchGetIn) (batchGetOut, error) {
	if len(in.RequestItems) == 0 {
		return batchGetOut{}, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	total := 0
	for _, r := range in.RequestItems {
		total += len(r.Keys)
	}
	if total > 100 {
		return batchGetOut{}, validation("Too many items requested for the BatchGetItem call")
	}
	out := batchGetOut{Responses: map[string][]attr.Item{}, UnprocessedKeys: map[string]keysAndAttributes{}}
	for _, name := range in.tables() {
		r := in.RequestItems[name]
		if r.AttributesToGet != nil && r.ProjectionExpression != nil {
			return batchGetOut{}, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
		}
		if len(r.Keys) == 0 {
			return batchGetOut{}, validation("1 validation error detected: Value at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		t, kv, err := s.table(c.Context(), name)
		if err != nil {
			return batchGetOut{}, err
		}
		env, err := r.env()
		if err != nil {
			return batchGetOut{}, err
		}
		proj, err := projection(r.ProjectionExpression, env)
		if err != nil {
			return batchGetOut{}, err
		}
		if r.AttributesToGet != nil {
			proj = projectionOf(r.AttributesToGet)
		}
		if err := env.CheckUnused(); err != nil {
			return batchGetOut{}, err
		}
		seen := map[string]bool{}
		var keys []string
		for _, k := range r.Keys {
			key, err := keyOf(t, k, true)
			if err != nil {
				return batchGetOut{}, err
			}
			if seen[key] {
				return batchGetOut{}, validation("Provided list of item keys contains duplicates")
			}
			seen[key] = true
			keys = append(keys, key)
		}
		items := []attr.Item{}
		for _, key := range keys {
			it, _, err := s.getItemRaw(c.Context(), kv, key)
			if err != nil {
				return batchGetOut{}, err
			}
			if it != nil {
				items = append(items, expr.Project(it, proj))
			}
		}
		out.Responses[name] = items
	}
	return out, nil
}

type writeRequest struct {
	PutRequest *struct {
		Item attr.Item `json:"Item"`
	} `json:"PutRequest,omitempty"`
	DeleteRequest *struct {
		Key attr.Item `json:"Key"`
	} `json:"DeleteRequest,omitempty"`
}

type batchWriteIn struct {
	RequestItems           map[string][]writeRequest `json:"RequestItems"`
	ReturnConsumedCapacity string                    `json:"ReturnConsumedCapacity"`
}

type batchWriteOut struct {
	UnprocessedItems map[string][]writeRequest `json:"UnprocessedItems"`
}

func (in *batchWriteIn) tables() []string {
	out := make([]string, 0, len(in.RequestItems))
	for n := range in.RequestItems {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// batchWrite checks every request first (a bad one fails the whole batch,
// as on DynamoDB), then writes each; the batch is not atomic.
func (s *Store) batchWrite(c *awsapi.Call, in *batchWriteIn) (batchWriteOut, error) {
	total := 0
	for _, r := range in.RequestItems {
		total += len(r)
	}
	if len(in.RequestItems) == 0 || total == 0 {
		return batchWriteOut{}, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if total > 25 {
		return batchWriteOut{}, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	type op struct {
		table *Table
		key   string
		put   attr.Item
	}
	var ops []op
	kvs := map[string]*Table{}
	for _, name := range in.tables() {
		t, _, err := s.table(c.Context(), name)
		if err != nil {
			return batchWriteOut{}, err
		}
		kvs[name] = t
		seen := map[string]bool{}
		for _, w := range in.RequestItems[name] {
			var o op
			switch {
			case w.PutRequest != nil && w.DeleteRequest == nil:
				key, err := keyOf(t, w.PutRequest.Item, false)
				if err != nil {
					return batchWriteOut{}, err
				}
				if err := checkItem(w.PutRequest.Item); err != nil {
					return batchWriteOut{}, err
				}
				if err := checkIndexKeys(t, w.PutRequest.Item); err != nil {
					return batchWriteOut{}, err
				}
				o = op{table: t, key: key, put: w.PutRequest.Item}
			case w.DeleteRequest != nil && w.PutRequest == nil:
				key, err := keyOf(t, w.DeleteRequest.Key, true)
				if err != nil {
					return batchWriteOut{}, err
				}
				o = op{table: t, key: key}
			default:
				return batchWriteOut{}, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if seen[o.key] {
				return batchWriteOut{}, validation("Provided list of item keys contains duplicates")
			}
			seen[o.key] = true
			ops = append(ops, o)
		}
	}
	for _, o := range ops {
		kv, err := s.itemsOf(c.Context(), o.table, false)
		if err != nil {
			return batchWriteOut{}, err
		}
		if o.put != nil {
			err = s.put(c.Context(), kv, o.key, o.put)
		} else if err = kv.Purge(c.Context(), o.key); err != nil {
			err = s.storeErr(err)
		}
		if err != nil {
			return batchWriteOut{}, err
		}
	}
	return batchWriteOut{UnprocessedItems: map[string][]writeRequest{}}, nil
}
