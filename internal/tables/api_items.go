package tables

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/tables/attr"
	"github.com/nubo-run/nubo/internal/tables/expr"
)

// placeholders are a request's ExpressionAttributeNames and Values.
type placeholders struct {
	ExpressionAttributeNames  map[string]string     `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues map[string]attr.Value `json:"ExpressionAttributeValues"`
}

func (p placeholders) env() (*expr.Env, error) {
	if err := expr.CheckPlaceholders(p.ExpressionAttributeNames, p.ExpressionAttributeValues); err != nil {
		return nil, err
	}
	return expr.NewEnv(p.ExpressionAttributeNames, p.ExpressionAttributeValues), nil
}

type putItemIn struct {
	placeholders
	legacy
	TableName                           string    `json:"TableName"`
	Item                                attr.Item `json:"Item"`
	ConditionExpression                 *string   `json:"ConditionExpression"`
	ReturnValues                        string    `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string    `json:"ReturnValuesOnConditionCheckFailure"`
	ReturnConsumedCapacity              string    `json:"ReturnConsumedCapacity"`
}

type attributesOut struct {
	Attributes attr.Item `json:"Attributes,omitempty"`
}

// table returns a table and its item bucket.
func (s *Store) table(ctx context.Context, name string) (*Table, jetstream.KeyValue, error) {
	if err := checkTableName("tableName", name); err != nil {
		return nil, nil, err
	}
	t, err := s.Table(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	kv, err := s.itemsOf(ctx, t, false)
	return t, kv, err
}

func conditionFailed() error {
	return awsapi.NewError(400, "ConditionalCheckFailedException", "The conditional request failed")
}

// checkIndexKeys refuses an item whose secondary index key attributes
// have another type than declared, or are empty, as DynamoDB does.
func checkIndexKeys(t *Table, it attr.Item) error {
	for _, ix := range append(append([]Index(nil), t.GSIs...), t.LSIs...) {
		for _, k := range ix.KeySchema {
			v, ok := it[k.AttributeName]
			if !ok {
				continue
			}
			want := t.KindOf(k.AttributeName)
			if v.Kind != want {
				return validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", k.AttributeName, want, v.Kind, ix.IndexName)
			}
			if (v.Kind == attr.S || v.Kind == attr.B) && v.Str == "" {
				return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", map[attr.Kind]string{attr.S: "string", attr.B: "binary"}[v.Kind], ix.IndexName, k.AttributeName)
			}
		}
	}
	return nil
}

func checkItem(it attr.Item) error {
	for name := range it {
		if name == "" {
			return validation("One or more parameter values were invalid: An AttributeValue may not contain an empty string")
		}
	}
	if it.Size() > attr.MaxItemSize {
		return validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// condition is a write's condition: its ConditionExpression, or its
// legacy Expected.
func (l legacy) condition(src *string, env *expr.Env) (*expr.Cond, error) {
	if l.Expected != nil {
		return expectedOf(l.Expected, l.ConditionalOperator)
	}
	if src == nil {
		return nil, nil
	}
	return expr.ParseCondition("ConditionExpression", *src, env)
}

func (s *Store) putItem(c *awsapi.Call, in *putItemIn) (attributesOut, error) {
	if err := in.mixed(map[string]bool{"ConditionExpression": in.ConditionExpression != nil}); err != nil {
		return attributesOut{}, err
	}
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return attributesOut{}, validation("Return values set to invalid value")
	}
	t, kv, err := s.table(c.Context(), in.TableName)
	if err != nil {
		return attributesOut{}, err
	}
	env, err := in.env()
	if err != nil {
		return attributesOut{}, err
	}
	cond, err := in.condition(in.ConditionExpression, env)
	if err != nil {
		return attributesOut{}, err
	}
	if err := env.CheckUnused(); err != nil {
		return attributesOut{}, err
	}
	key, err := keyOf(t, in.Item, false)
	if err != nil {
		return attributesOut{}, err
	}
	if err := checkItem(in.Item); err != nil {
		return attributesOut{}, err
	}
	if err := checkIndexKeys(t, in.Item); err != nil {
		return attributesOut{}, err
	}
	if cond == nil && in.ReturnValues != "ALL_OLD" {
		// Nothing reads the old item: one write, no read first.
		return attributesOut{}, s.put(c.Context(), kv, key, in.Item)
	}
	old, _, err := s.modify(c.Context(), kv, key, func(old attr.Item) (attr.Item, error) {
		if cond != nil && !cond.Eval(old) {
			return nil, conditionFailed()
		}
		return in.Item, nil
	})
	if err != nil {
		return attributesOut{}, err
	}
	if in.ReturnValues == "ALL_OLD" {
		return attributesOut{Attributes: old}, nil
	}
	return attributesOut{}, nil
}

type getItemIn struct {
	placeholders
	legacy
	TableName              string    `json:"TableName"`
	Key                    attr.Item `json:"Key"`
	ProjectionExpression   *string   `json:"ProjectionExpression"`
	ConsistentRead         bool      `json:"ConsistentRead"`
	ReturnConsumedCapacity string    `json:"ReturnConsumedCapacity"`
}

type getItemOut struct {
	Item attr.Item `json:"Item,omitempty"`
}

func projection(src *string, env *expr.Env) ([]expr.Path, error) {
	if src == nil {
		return nil, nil
	}
	return expr.ParseProjection(*src, env)
}

func (s *Store) getItem(c *awsapi.Call, in *getItemIn) (getItemOut, error) {
	if err := in.mixed(map[string]bool{"ProjectionExpression": in.ProjectionExpression != nil}); err != nil {
		return getItemOut{}, err
	}
	t, kv, err := s.table(c.Context(), in.TableName)
	if err != nil {
		return getItemOut{}, err
	}
	env, err := in.env()
	if err != nil {
		return getItemOut{}, err
	}
	proj, err := projection(in.ProjectionExpression, env)
	if err != nil {
		return getItemOut{}, err
	}
	if in.AttributesToGet != nil {
		proj = projectionOf(in.AttributesToGet)
	}
	if err := env.CheckUnused(); err != nil {
		return getItemOut{}, err
	}
	key, err := keyOf(t, in.Key, true)
	if err != nil {
		return getItemOut{}, err
	}
	it, _, err := s.getItemAt(c.Context(), kv, key)
	if err != nil || it == nil {
		return getItemOut{}, err
	}
	return getItemOut{Item: expr.Project(it, proj)}, nil
}

// getItemAt reads one item (every read is consistent: a KV get reads the
// stream's leader).
func (s *Store) getItemAt(ctx context.Context, kv jetstream.KeyValue, key string) (attr.Item, uint64, error) {
	return s.getItemRaw(ctx, kv, key)
}

type updateItemIn struct {
	placeholders
	legacy
	TableName                           string    `json:"TableName"`
	Key                                 attr.Item `json:"Key"`
	UpdateExpression                    *string   `json:"UpdateExpression"`
	ConditionExpression                 *string   `json:"ConditionExpression"`
	ReturnValues                        string    `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string    `json:"ReturnValuesOnConditionCheckFailure"`
	ReturnConsumedCapacity              string    `json:"ReturnConsumedCapacity"`
}

func (s *Store) updateItem(c *awsapi.Call, in *updateItemIn) (attributesOut, error) {
	if err := in.mixed(map[string]bool{"ConditionExpression": in.ConditionExpression != nil, "UpdateExpression": in.UpdateExpression != nil}); err != nil {
		return attributesOut{}, err
	}
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
	default:
		return attributesOut{}, validation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
	}
	t, kv, err := s.table(c.Context(), in.TableName)
	if err != nil {
		return attributesOut{}, err
	}
	env, err := in.env()
	if err != nil {
		return attributesOut{}, err
	}
	var upd *expr.Update
	if in.AttributeUpdates != nil {
		if upd, err = updateOf(in.AttributeUpdates); err != nil {
			return attributesOut{}, err
		}
	}
	if in.UpdateExpression != nil {
		if upd, err = expr.ParseUpdate(*in.UpdateExpression, env); err != nil {
			return attributesOut{}, err
		}
	}
	if upd != nil {
		for _, p := range upd.Paths() {
			if n := p[0].Name; n == t.Hash() || n == t.Range() {
				return attributesOut{}, validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", n)
			}
		}
	}
	cond, err := in.condition(in.ConditionExpression, env)
	if err != nil {
		return attributesOut{}, err
	}
	if err := env.CheckUnused(); err != nil {
		return attributesOut{}, err
	}
	key, err := keyOf(t, in.Key, true)
	if err != nil {
		return attributesOut{}, err
	}
	old, next, err := s.modify(c.Context(), kv, key, func(old attr.Item) (attr.Item, error) {
		if cond != nil && !cond.Eval(old) {
			return nil, conditionFailed()
		}
		base := old
		if base == nil {
			base = expr.Clone(in.Key)
		}
		if upd == nil {
			return base, nil
		}
		next, err := upd.Apply(base)
		if err != nil {
			return nil, validation("%s", err.Error())
		}
		if next.Size() > attr.MaxItemSize {
			return nil, validation("Item size to update has exceeded the maximum allowed size")
		}
		if err := checkIndexKeys(t, next); err != nil {
			return nil, err
		}
		return next, nil
	})
	if err != nil {
		return attributesOut{}, err
	}
	switch in.ReturnValues {
	case "ALL_OLD":
		return attributesOut{Attributes: old}, nil
	case "ALL_NEW":
		return attributesOut{Attributes: next}, nil
	case "UPDATED_OLD", "UPDATED_NEW":
		src := next
		if in.ReturnValues == "UPDATED_OLD" {
			src = old
		}
		if upd == nil || src == nil {
			return attributesOut{}, nil
		}
		out := expr.Project(src, upd.Paths())
		if len(out) == 0 {
			out = nil
		}
		return attributesOut{Attributes: out}, nil
	}
	return attributesOut{}, nil
}

type deleteItemIn struct {
	placeholders
	legacy
	TableName                           string    `json:"TableName"`
	Key                                 attr.Item `json:"Key"`
	ConditionExpression                 *string   `json:"ConditionExpression"`
	ReturnValues                        string    `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string    `json:"ReturnValuesOnConditionCheckFailure"`
	ReturnConsumedCapacity              string    `json:"ReturnConsumedCapacity"`
}

func (s *Store) deleteItem(c *awsapi.Call, in *deleteItemIn) (attributesOut, error) {
	if err := in.mixed(map[string]bool{"ConditionExpression": in.ConditionExpression != nil}); err != nil {
		return attributesOut{}, err
	}
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return attributesOut{}, validation("Return values set to invalid value")
	}
	t, kv, err := s.table(c.Context(), in.TableName)
	if err != nil {
		return attributesOut{}, err
	}
	env, err := in.env()
	if err != nil {
		return attributesOut{}, err
	}
	cond, err := in.condition(in.ConditionExpression, env)
	if err != nil {
		return attributesOut{}, err
	}
	if err := env.CheckUnused(); err != nil {
		return attributesOut{}, err
	}
	key, err := keyOf(t, in.Key, true)
	if err != nil {
		return attributesOut{}, err
	}
	old, _, err := s.modify(c.Context(), kv, key, func(old attr.Item) (attr.Item, error) {
		if cond != nil && !cond.Eval(old) {
			return nil, conditionFailed()
		}
		return nil, nil
	})
	if err != nil {
		return attributesOut{}, err
	}
	if in.ReturnValues == "ALL_OLD" {
		return attributesOut{Attributes: old}, nil
	}
	return attributesOut{}, nil
}
