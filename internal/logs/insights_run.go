package logs

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
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
	for _, r := range records {
		if allMatch(q.filters, r) {
			kept = append(kept, r)
		}
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
	type acc struct {
		n             int
		sum, min, max float64
	}
	type group struct {
		values []string
		accs   []acc
	}
	var order []string
	groups := map[string]*group{}
	for _, r := range records {
		vals := make([]string, len(q.stats.by))
		for i, f := range q.stats.by {
			vals[i] = r[f]
			if period, ok := strings.CutPrefix(f, "bin("); ok {
				vals[i] = binOf(r["@timestamp"], strings.TrimSuffix(period, ")"))
			}
		}
		k := strings.Join(vals, "\x00")
		g, ok := groups[k]
		if !ok {
			g = &group{values: vals, accs: make([]acc, len(q.stats.aggs))}
			groups[k] = g
			order = append(order, k)
		}
		for i, a := range q.stats.aggs {
			if a.field == "*" {
				g.accs[i].n++
				continue
			}
			v, ok := r[a.field]
			if !ok {
				continue // an aggregate of a field counts the records that have it
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil && a.fn != "count" {
				continue // sum, avg, min and max of numbers only
			}
			c := &g.accs[i]
			if c.n == 0 || x < c.min {
				c.min = x
			}
			if c.n == 0 || x > c.max {
				c.max = x
			}
			c.n++
			c.sum += x
		}
	}
	rows := make([][]resultField, 0, len(order))
	for _, k := range order {
		g := groups[k]
		row := make([]resultField, 0, len(g.values)+len(g.accs))
		for i, f := range q.stats.by {
			row = append(row, resultField{Field: f, Value: g.values[i]})
		}
		for i, a := range q.stats.aggs {
			c := g.accs[i]
			var v float64
			switch a.fn {
			case "count":
				v = float64(c.n)
			case "sum":
				v = c.sum
			case "avg":
				if c.n > 0 {
					v = c.sum / float64(c.n)
				}
			case "min":
				v = c.min
			case "max":
				v = c.max
			}
			if a.fn != "count" && c.n == 0 {
				continue // no number to aggregate: no value, as Insights leaves it empty
			}
			row = append(row, resultField{Field: a.alias, Value: strconv.FormatFloat(v, 'f', -1, 64)})
		}
		if len(q.postFilters) > 0 {
			m := make(map[string]string, len(row))
			for _, f := range row {
				m[f.Field] = f.Value
			}
			if !allMatch(q.postFilters, m) {
				continue
			}
		}
		rows = append(rows, row)
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

// binOf is the start of the bin of period a record's @timestamp is in.
func binOf(ts, period string) string {
	d, err := binPeriod(period)
	t, terr := time.Parse(insightsTime, ts)
	if err != nil || terr != nil {
		return ""
	}
	return t.Truncate(d).Format(insightsTime)
}

func allMatch(filters []expr, r map[string]string) bool {
	for _, f := range filters {
		if !f.eval(r) {
			return false
		}
	}
	return true
}
