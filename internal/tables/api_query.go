package tables

import (
	"hash/fnv"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/tables/attr"
	"github.com/nubo-run/nubo/internal/tables/expr"
)

// maxPage is the most item data one Query or Scan page reads: 1 MB.
const maxPage = 1 << 20

type readIn struct {
	placeholders
	legacy
	TableName              string    `json:"TableName"`
	IndexName              string    `json:"IndexName"`
	FilterExpression       *string   `json:"FilterExpression"`
	ProjectionExpression   *string   `json:"ProjectionExpression"`
	Select                 string    `json:"Select"`
	Limit                  *int      `json:"Limit"`
	ExclusiveStartKey      attr.Item `json:"ExclusiveStartKey"`
	ConsistentRead         bool      `json:"ConsistentRead"`
	ReturnConsumedCapacity string    `json:"ReturnConsumedCapacity"`
}

type queryIn struct {
	readIn
	KeyConditionExpression *string `json:"KeyConditionExpression"`
	ScanIndexForward       *bool   `json:"ScanIndexForward"`
}

type scanIn struct {
	readIn
	Segment       *int `json:"Segment"`
	TotalSegments *int `json:"TotalSegments"`
}

type pageOut struct {
	Items            []attr.Item `json:"Items,omitempty"`
	Count            int         `json:"Count"`
	ScannedCount     int         `json:"ScannedCount"`
	LastEvaluatedKey attr.Item   `json:"LastEvaluatedKey,omitempty"`
}

// reader is a parsed Query or Scan: its filter, projection and limits.
type reader struct {
	filter *expr.Cond
	proj   []expr.Path
	count  bool
	limit  int
	// index is the index read (nil: the table), keys its and the table's
	// key attributes.
	index *Index
	keys  []string
}

// indexProject keeps what an index projects: its keys and the table's,
// with INCLUDE the named attributes, with ALL everything.
func (r *reader) indexProject(it attr.Item) attr.Item {
	if r.index == nil || r.index.Projection.ProjectionType == "ALL" || r.index.Projection.ProjectionType == "" {
		return it
	}
	out := attr.Item{}
	for _, k := range r.keys {
		if v, ok := it[k]; ok {
			out[k] = v
		}
	}
	if r.index.Projection.ProjectionType == "INCLUDE" {
		for _, k := range r.index.Projection.NonKeyAttributes {
			if v, ok := it[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

func (in *readIn) prepare(env *expr.Env) (*reader, error) {
	if err := in.mixed(map[string]bool{"FilterExpression": in.FilterExpression != nil, "ProjectionExpression": in.ProjectionExpression != nil}); err != nil {
		return nil, err
	}
	r := &reader{}
	var err error
	if in.FilterExpression != nil {
		if r.filter, err = expr.ParseCondition("FilterExpression", *in.FilterExpression, env); err != nil {
			return nil, err
		}
	}
	for _, f := range []map[string]legacyCondition{in.QueryFilter, in.ScanFilter} {
		if f != nil {
			if r.filter, err = filterOf(f, in.ConditionalOperator); err != nil {
				return nil, err
			}
		}
	}
	if r.proj, err = projection(in.ProjectionExpression, env); err != nil {
		return nil, err
	}
	if in.AttributesToGet != nil {
		r.proj = projectionOf(in.AttributesToGet)
	}
	switch in.Select {
	case "", "ALL_ATTRIBUTES":
		if in.Select != "" && r.proj != nil {
			return nil, validation("Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES")
		}
	case "SPECIFIC_ATTRIBUTES":
	case "COUNT":
		if r.proj != nil {
			return nil, validation("Cannot specify the ProjectionExpression when choosing to get COUNT")
		}
		r.count = true
	case "ALL_PROJECTED_ATTRIBUTES":
		if in.IndexName == "" {
			return nil, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", in.Select)
	}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		r.limit = *in.Limit
	}
	return r, nil
}

// page reads items in order into one page: Limit items evaluated or 1 MB
// read, whichever first, then the filter and the projection.
func (r *reader) page(keyOfItem func(attr.Item) attr.Item, items []attr.Item) pageOut {
	out := pageOut{}
	size := 0
	for i, it := range items {
		n := it.Size()
		if i > 0 && size+n > maxPage {
			out.LastEvaluatedKey = keyOfItem(items[i-1])
			break
		}
		size += n
		out.ScannedCount++
		if r.filter.Eval(it) {
			out.Count++
			if !r.count {
				out.Items = append(out.Items, expr.Project(r.indexProject(it), r.proj))
			}
		}
		if r.limit > 0 && out.ScannedCount == r.limit {
			out.LastEvaluatedKey = keyOfItem(it)
			break
		}
	}
	if !r.count && out.Items == nil {
		out.Items = []attr.Item{}
	}
	return out
}

func (s *Store) query(c *awsapi.Call, in *queryIn) (pageOut, error) {
	t, kv, err := s.table(c.Context(), in.TableName)
	if err != nil {
		return pageOut{}, err
	}
	t = s.withIndex(c.Context(), t, in.IndexName)
	env, err := in.env()
	if err != nil {
		return pageOut{}, err
	}
	if err := in.mixed(map[string]bool{"KeyConditionExpression": in.KeyConditionExpression != nil}); err != nil {
		return pageOut{}, err
	}
	if in.KeyConditionExpression == nil && in.KeyConditions == nil {
		return pageOut{}, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	v, err := viewOf(t, in.IndexName, in.ConsistentRead, in.Select)
	if err != nil {
		return pageOut{}, err
	}
	var kc *expr.KeyCond
	if in.KeyConditions != nil {
		kc, err = keyConditionsOf(in.KeyConditions, v.hash, v.rng)
	} else {
		kc, err = expr.ParseKeyCondition(*in.KeyConditionExpression, env, v.hash, v.rng)
	}
	if err != nil {
		return pageOut{}, err
	}
	r, err := in.prepare(env)
	if err != nil {
		return pageOut{}, err
	}
	if err := env.CheckUnused(); err != nil {
		return pageOut{}, err
	}
	r.index, r.keys = v.index, v.keys()
	if kc.Hash.Kind != t.KindOf(v.hash) {
		return pageOut{}, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	for _, val := range kc.Range {
		if val.Kind != t.KindOf(v.rng) {
			return pageOut{}, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
		}
	}
	if kc.RangeOp == "begins_with" && t.KindOf(v.rng) == attr.N {
		return pageOut{}, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
	}
	var got []stored
	switch {
	case v.index == nil && t.Range() == "":
		it, _, err := s.getItemRaw(c.Context(), kv, token(kc.Hash))
		if err != nil {
			return pageOut{}, err
		}
		if it != nil {
			got = append(got, stored{key: token(kc.Hash), item: it})
		}
	case v.global:
		// A GSI is read from the whole table (decision 009: the index
		// bucket kept from the change stream is not built yet).
		got, err = s.read(c.Context(), kv, "")
	default:
		// The table or an LSI: one partition.
		filter := token(kc.Hash) + ".*"
		if t.Range() == "" {
			filter = token(kc.Hash)
		}
		got, err = s.read(c.Context(), kv, filter)
	}
	if err != nil {
		return pageOut{}, err
	}
	var items []stored
	for _, st := range got {
		h, ok := st.item[v.hash]
		if !ok || !attr.Equal(h, kc.Hash) {
			continue
		}
		if v.rng != "" {
			rv, ok := st.item[v.rng]
			if !ok || !kc.Match(rv) {
				continue
			}
		}
		items = append(items, st)
	}
	v.sort(items)
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	if !forward {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	if in.ExclusiveStartKey != nil {
		start, err := v.position(t, in.ExclusiveStartKey)
		if err != nil {
			return pageOut{}, err
		}
		i := sort.Search(len(items), func(i int) bool {
			c := v.cmp(items[i], start)
			if forward {
				return c > 0
			}
			return c < 0
		})
		items = items[i:]
	}
	plain := make([]attr.Item, len(items))
	for i, st := range items {
		plain[i] = st.item
	}
	return r.page(v.lastKey(t), plain), nil
}

func (s *Store) scan(c *awsapi.Call, in *scanIn) (pageOut, error) {
	if (in.Segment == nil) != (in.TotalSegments == nil) {
		if in.Segment == nil {
			return pageOut{}, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
		}
		return pageOut{}, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if in.TotalSegments != nil {
		if *in.TotalSegments < 1 || *in.TotalSegments > 1000000 {
			return pageOut{}, validation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000", *in.TotalSegments)
		}
		if *in.Segment < 0 || *in.Segment >= *in.TotalSegments {
			return pageOut{}, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
		}
	}
	t, kv, err := s.table(c.Context(), in.TableName)
	if err != nil {
		return pageOut{}, err
	}
	t = s.withIndex(c.Context(), t, in.IndexName)
	env, err := in.env()
	if err != nil {
		return pageOut{}, err
	}
	r, err := in.prepare(env)
	if err != nil {
		return pageOut{}, err
	}
	if err := env.CheckUnused(); err != nil {
		return pageOut{}, err
	}
	v, err := viewOf(t, in.IndexName, in.ConsistentRead, in.Select)
	if err != nil {
		return pageOut{}, err
	}
	r.index, r.keys = v.index, v.keys()
	start := ""
	if in.ExclusiveStartKey != nil {
		if start, err = keyOf(t, keyItem(t, in.ExclusiveStartKey), true); err != nil {
			return pageOut{}, validation("The provided starting key is invalid: %s", strings.TrimPrefix(err.Error(), "ValidationException: "))
		}
	}
	got, err := s.read(c.Context(), kv, "")
	if err != nil {
		return pageOut{}, err
	}
	var items []attr.Item
	for _, st := range got {
		if start != "" && st.key <= start {
			continue
		}
		if in.TotalSegments != nil && segment(st.key, *in.TotalSegments) != *in.Segment {
			continue
		}
		if _, ok := st.item[v.hash]; !ok && v.index != nil {
			continue
		}
		if _, ok := st.item[v.rng]; !ok && v.index != nil && v.rng != "" {
			continue
		}
		items = append(items, st.item)
	}
	return r.page(v.lastKey(t), items), nil
}

// segment is the parallel-scan segment of an item: a hash of its
// partition key, so one partition's items are in one segment.
func segment(key string, total int) int {
	hashTok, _, _ := strings.Cut(key, ".")
	h := fnv.New32a()
	_, _ = h.Write([]byte(hashTok))
	return int(h.Sum32() % uint32(total))
}
