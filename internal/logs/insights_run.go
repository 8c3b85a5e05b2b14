package logs

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// insightsTime is how Logs Insights writes @timestamp.
const insightsTime = "2006-01-02 15:04:05.000"

// defaultQueryLimit is how many rows a query returns without a limit.
const defaultQueryLimit = 1000

// resultField is one column of a result row.
type resultField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// insightsRecord is an event as a query sees it: its fields.
func insightsRecord(owner, group, stream string, e Event) map[string]string {
	r := map[string]string{
		"@timestamp":     e.Time.UTC().Format(insightsTime),
		"@message":       e.Message,
		"@logStream":     stream,
		"@log":           owner + ":" + group,
		"@ingestionTime": e.Ingested.UTC().Format(insightsTime),
		"@ptr":           strconv.FormatUint(e.Seq, 10),
	}
	var obj map[string]any
	if strings.HasPrefix(strings.TrimSpace(e.Message), "{") && json.Unmarshal([]byte(e.Message), &obj) == nil {
		flatten("", obj, r)
	}
	return r
}

// flatten adds a JSON object's fields to r, nested ones as a.b.
func flatten(prefix string, obj map[string]any, r map[string]string) {
	for k, v := range obj {
		name := prefix + k
		switch v := v.(type) {
		case map[string]any:
			flatten(name+".", v, r)
		case string:
			r[name] = v
		case nil:
		default:
			b, _ := json.Marshal(v)
			r[name] = string(b)
		}
	}
}

// lessValue orders two field values: as numbers when both are.
func lessValue(a, b string) bool {
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		if y, err := strconv.ParseFloat(b, 64); err == nil {
			return x < y
		}
	}
	return a < b
}

// run applies the query to records (in the order they were stored) and
// returns its rows, at most limit (0: the query's, else 1000).
func (q *insightsQuery) run(records []map[string]string, limit int) (rows [][]resultField, matched int) {
	var kept []map[string]string
next:
	for _, r := range records {
		for _, f := range q.filters {
			if !f.eval(r) {
				continue next
			}
		}
		kept = append(kept, r)
	}
	if q.limit > 0 {
		limit = q.limit
	}
	if limit <= 0 {
		limit = defaultQueryLimit
	}
	if q.stats != nil {
		return q.runStats(kept, limit), len(kept)
	}
	by, desc := q.sortBy, q.desc
	if by == "" {
		by, desc = "@timestamp", true
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i][by], kept[j][by]
		if desc {
			return lessValue(b, a)
		}
		return lessValue(a, b)
	})
	if len(kept) > limit {
		kept = kept[:limit]
	}
	fields := q.fields
	if fields == nil {
		fields = []string{"@timestamp", "@message"}
	}
	for _, r := range kept {
		row := []resultField{}
		for _, f := range fields {
			if v, ok := r[f]; ok {
				row = append(row, resultField{Field: f, Value: v})
			}
		}
		rows = append(rows, append(row, resultField{Field: "@ptr", Value: r["@ptr"]}))
	}
	return rows, len(kept)
}

// runStats counts records by the stats command's fields.
func (q *insightsQuery) runStats(records []map[string]string, limit int) [][]resultField {
	type group struct {
		values []string
		n      int
	}
	var order []string
	groups := map[string]*group{}
	for _, r := range records {
		if _, ok := r[q.stats.field]; q.stats.field != "*" && !ok {
			continue // count(field) counts the records that have it
		}
		vals := make([]string, len(q.stats.by))
		for i, f := range q.stats.by {
			vals[i] = r[f]
		}
		k := strings.Join(vals, "\x00")
		g, ok := groups[k]
		if !ok {
			g = &group{values: vals}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
	}
	rows := make([][]resultField, 0, len(order))
	for _, k := range order {
		g := groups[k]
		row := make([]resultField, 0, len(g.values)+1)
		for i, f := range q.stats.by {
			row = append(row, resultField{Field: f, Value: g.values[i]})
		}
		rows = append(rows, append(row, resultField{Field: q.stats.alias, Value: strconv.Itoa(g.n)}))
	}
	if q.sortBy != "" {
		value := func(row []resultField) string {
			for _, f := range row {
				if f.Field == q.sortBy {
					return f.Value
				}
			}
			return ""
		}
		sort.SliceStable(rows, func(i, j int) bool {
			if q.desc {
				return lessValue(value(rows[j]), value(rows[i]))
			}
			return lessValue(value(rows[i]), value(rows[j]))
		})
	}
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return rows
}
