package logs

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func insightsRecords() []map[string]string {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	msgs := []string{
		`{"level":"error","code":500,"path":"/a"}`,
		`{"level":"info","code":200,"path":"/a"}`,
		`{"level":"error","code":503,"path":"/b"}`,
		`plain ERROR line`,
		`{"level":"info","code":404,"path":"/b","user":{"id":"u1"}}`,
	}
	var out []map[string]string
	for i, m := range msgs {
		out = append(out, insightsRecord("000000000000", "/g", "s", Event{Seq: uint64(i + 1), Time: base.Add(time.Duration(i) * time.Second), Message: m}))
	}
	return out
}

// rowsString writes rows as "field=value field=value; ..." without @ptr.
func rowsString(rows [][]resultField) string {
	var parts []string
	for _, row := range rows {
		var fs []string
		for _, f := range row {
			if f.Field != "@ptr" {
				fs = append(fs, f.Field+"="+f.Value)
			}
		}
		parts = append(parts, strings.Join(fs, " "))
	}
	return strings.Join(parts, "; ")
}

func TestInsightsQueries(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{`fields code | filter level = "error"`, "code=503; code=500"},
		{`fields code | filter level = "error" | sort code asc`, "code=500; code=503"},
		{`fields code, path | filter code >= 404 and path = "/b" | sort code`, "code=503 path=/b; code=404 path=/b"},
		{`fields @message | filter @message like /ERROR/`, "@message=plain ERROR line"},
		{`fields code | filter @message like "info" | limit 1`, "code=404"},
		{`fields code | filter not (level = "info" or level = "error")`, ""},
		{`fields code | filter level != "info" and @message not like /plain/ | sort code asc`, "code=500; code=503"},
		{`filter user.id = "u1" | fields user.id, code`, "user.id=u1 code=404"},
		{`stats count(*) by level | sort level asc`, "level= count(*)=1; level=error count(*)=2; level=info count(*)=2"},
		{`filter ispresent = 1 or code > 0 | stats count(code) as n`, "n=4"},
		{`stats count(*) as hits by path, level | sort hits desc | limit 1`, "path=/a level=error hits=1"},
		{`stats sum(code) as total, avg(code) as mean, min(code), max(code) by level | sort level asc`, "level=; level=error total=1003 mean=501.5 min(code)=500 max(code)=503; level=info total=604 mean=302 min(code)=200 max(code)=404"},
		{`stats count(user.id), count(*) as all`, "count(user.id)=1 all=5"},
		{`stats count(*) as n by bin(2s)`, "bin(2s)=2026-01-02 03:04:04.000 n=1; bin(2s)=2026-01-02 03:04:06.000 n=2; bin(2s)=2026-01-02 03:04:08.000 n=2"},
		{`stats count(*) as n by bin(1h), level | filter n > 1 | sort n desc | limit 1`, "bin(1h)=2026-01-02 03:00:00.000 level=error n=2"},
		{`filter code > 200 | stats count(*) as n by level | filter level = "info"`, "level=info n=1"},
		{`fields @timestamp | sort @timestamp asc | limit 2`, "@timestamp=2026-01-02 03:04:05.000; @timestamp=2026-01-02 03:04:06.000"},
		{`filter code = 500`, `@timestamp=2026-01-02 03:04:05.000 @message={"level":"error","code":500,"path":"/a"}`},
	} {
		q, err := parseInsights(tc.query)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		rows, _ := q.run(insightsRecords(), 0)
		if got := rowsString(rows); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.query, got, tc.want)
		}
	}
}

func TestInsightsQueryErrors(t *testing.T) {
	for _, q := range []string{
		"", "fields", "fields a,", "filter", "filter a =", "filter (a = 1", `filter a like 3`, `filter @message like /[/`,
		"sort", "sort a sideways", "limit x", "limit 0", "limit 10001", "stats pct(x, 50)", "stats avg()", "stats sum(*)", "stats count(*),", "stats count(*) by", "stats count(*) by bin(5)", "stats count(*) by bin(0m)", "stats count(*) by bin(5m", "parse @message",
		"fields a |", "| fields a", `filter a = "open`, "filter a ! b", "fields a | stats count(*) | stats count(*)",
	} {
		if _, err := parseInsights(q); err == nil {
			t.Errorf("%q was accepted", q)
		}
	}
}

func FuzzInsightsQuery(f *testing.F) {
	for _, s := range []string{
		`fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 20`,
		`stats count(*) as n by level, path | sort n desc`,
		`filter not (a = "x\"y" or b >= 2) and c not like 'z'`,
		"filter `odd name` = 1", `filter a like /\/path\//`, "fields a,,b", "limit 5 | limit 6",
	} {
		f.Add(s)
	}
	recs := insightsRecords()
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseInsights(s)
		if err != nil {
			return
		}
		rows, matched := q.run(recs, 0)
		if matched > len(recs) || len(rows) > defaultQueryLimit {
			t.Fatalf("%q: %d rows, %d matched of %d", s, len(rows), matched, len(recs))
		}
		_ = fmt.Sprint(rows)
	})
}
