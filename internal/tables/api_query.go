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
}

func (in *readIn) prepare(env *expr.Env) (*reader, error) {
	if err := in.legacy.check(); err != nil {
		return nil, err
	}
	if in.IndexName != "" {
		return nil, validation("nubo does not query secondary indexes yet (IndexName %s): query the table", in.IndexName)
	}
	r := &reader{}
	var err error
	if in.FilterExpression != nil {
		if r.filter, err = expr.ParseCondition("FilterExpression", *in.FilterExpression, env); err != nil {
			return nil, err
		}
	}
	if r.proj, err = projection(in.ProjectionExpression, env); err != nil {
		return nil, err
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
		return nil, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
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
func (r *reader) page(t *Table, items []attr.Item) pageOut {
	out := pageOut{}
	size := 0
	for i, it := range items {
		n := it.Size()
		if i > 0 && size+n > maxPage {
			out.LastEvaluatedKey = keyItem(t, items[i-1])
			break
		}
		size += n
		out.ScannedCount++
		if r.filter.Eval(it) {
			out.Count++
			if !r.count {
				out.Items = append(out.Items, expr.Project(it, r.proj))
			}
		}
		if r.limit > 0 && out.ScannedCount == r.limit {
			out.LastEvaluatedKey = keyItem(t, it)
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
	env, err := in.env()
	if err != nil {
		return pageOut{}, err
	}
	if in.KeyConditionExpression == nil {
		return pageOut{}, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	kc, err := expr.ParseKeyCondition(*in.KeyConditionExpression, env, t.Hash(), t.Range())
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
	if kc.Hash.Kind != t.KindOf(t.Hash()) {
		return pageOut{}, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	for _, v := range kc.Range {
		if v.Kind != t.KindOf(t.Range()) {
			return pageOut{}, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
		}
	}
	if kc.RangeOp == "begins_with" && t.KindOf(t.Range()) == attr.N {
		return pageOut{}, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
	}
	hashTok := token(kc.Hash)
	var items []attr.Item
	if t.Range() == "" {
		it, _, err := s.getItemRaw(c.Context(), kv, hashTok)
		if err != nil {
			return pageOut{}, err
		}
		if it != nil {
			items = append(items, it)
		}
	} else {
		got, err := s.read(c.Context(), kv, hashTok+".*")
		if err != nil {
			return pageOut{}, err
		}
		for _, st := range got {
			if attr.Equal(st.item[t.Hash()], kc.Hash) && kc.Match(st.item[t.Range()]) {
				items = append(items, st.item)
			}
		}
		rk := t.Range()
		sort.SliceStable(items, func(i, j int) bool {
			c, _ := attr.Compare(items[i][rk], items[j][rk])
			return c < 0
		})
	}
	if in.ScanIndexForward != nil && !*in.ScanIndexForward {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	if in.ExclusiveStartKey != nil {
		if _, err := keyOf(t, in.ExclusiveStartKey, true); err != nil {
			return pageOut{}, validation("The provided starting key is invalid: %s", strings.TrimPrefix(err.Error(), "ValidationException: "))
		}
		if t.Range() == "" {
			items = nil
		} else {
			start := in.ExclusiveStartKey[t.Range()]
			forward := in.ScanIndexForward == nil || *in.ScanIndexForward
			i := sort.Search(len(items), func(i int) bool {
				c, _ := attr.Compare(items[i][t.Range()], start)
				if forward {
					return c > 0
				}
				return c < 0
			})
			items = items[i:]
		}
	}
	return r.page(t, items), nil
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
	start := ""
	if in.ExclusiveStartKey != nil {
		if start, err = keyOf(t, in.ExclusiveStartKey, true); err != nil {
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
		items = append(items, st.item)
	}
	return r.page(t, items), nil
}

// segment is the parallel-scan segment of an item: a hash of its
// partition key, so one partition's items are in one segment.
func segment(key string, total int) int {
	hashTok, _, _ := strings.Cut(key, ".")
	h := fnv.New32a()
	_, _ = h.Write([]byte(hashTok))
	return int(h.Sum32() % uint32(total))
}
