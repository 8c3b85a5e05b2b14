package logs

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Logs Insights: StartQuery runs the query (insights.go) over the groups'
// events in its time range before it answers, and keeps the results in a
// KV bucket (queriesBucket) for GetQueryResults on any node, for as long
// as AWS keeps them. A query is Complete when StartQuery returns, so
// StopQuery has nothing to stop.

const (
	queriesBucket = "nubo_log_queries"
	queriesKept   = 7 * 24 * time.Hour
	// maxQueryRecords bounds the events one query reads.
	maxQueryRecords = 100000
	// maxQueryResultBytes keeps a query's results within a KV value.
	maxQueryResultBytes = 768 << 10
	maxQueryGroups      = 50
)

// queryRecord is a query's results as GetQueryResults returns them.
type queryRecord struct {
	Status     string          `json:"status"`
	Results    [][]resultField `json:"results"`
	Statistics queryStatistics `json:"statistics"`
	Query      string          `json:"query"`
	Groups     []string        `json:"groups"`
	Created    int64           `json:"created"`
}

type queryStatistics struct {
	RecordsMatched float64 `json:"recordsMatched"`
	RecordsScanned float64 `json:"recordsScanned"`
	BytesScanned   float64 `json:"bytesScanned"`
}

type (
	startQueryInput struct {
		LogGroupName        string   `json:"logGroupName"`
		LogGroupNames       []string `json:"logGroupNames"`
		LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
		StartTime           *int64   `json:"startTime"`
		EndTime             *int64   `json:"endTime"`
		QueryString         string   `json:"queryString"`
		Limit               int      `json:"limit"`
		QueryLanguage       string   `json:"queryLanguage"`
	}
	startQueryOutput struct {
		QueryID string `json:"queryId"`
	}
	queryIDInput struct {
		QueryID string `json:"queryId"`
	}
	getQueryResultsOutput struct {
		Results    [][]resultField `json:"results"`
		Statistics queryStatistics `json:"statistics"`
		Status     string          `json:"status"`
	}
	stopQueryOutput struct {
		Success bool `json:"success"`
	}
	describeQueriesInput struct {
		LogGroupName string `json:"logGroupName"`
		Status       string `json:"status"`
		MaxResults   int    `json:"maxResults"`
		NextToken    string `json:"nextToken"`
	}
	queryInfo struct {
		QueryID      string `json:"queryId"`
		QueryString  string `json:"queryString"`
		Status       string `json:"status"`
		CreateTime   int64  `json:"createTime"`
		LogGroupName string `json:"logGroupName,omitempty"`
	}
	describeQueriesOutput struct {
		Queries   []queryInfo `json:"queries"`
		NextToken string      `json:"nextToken,omitempty"`
	}
)

// groups are the log groups a StartQuery names (by name or ARN).
func (in *startQueryInput) groups() []string {
	var out []string
	if in.LogGroupName != "" {
		out = append(out, in.LogGroupName)
	}
	out = append(out, in.LogGroupNames...)
	for _, id := range in.LogGroupIdentifiers {
		if strings.HasPrefix(id, "arn:") {
			if a, err := awsapi.ParseARN(id); err == nil {
				id = strings.TrimSuffix(strings.TrimPrefix(a.Resource, "log-group:"), ":*")
			}
		}
		out = append(out, id)
	}
	return out
}

func (l *Store) queriesKV() (*backbone.KV[queryRecord], error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.queries == nil {
		return nil, errors.New("logs: store not started")
	}
	return backbone.Typed[queryRecord](l.queries), nil
}

func malformedQuery(err error) error {
	return awsapi.NewError(http.StatusBadRequest, "MalformedQueryException", "Invalid query: "+err.Error())
}

func (a *api) startQuery(c *awsapi.Call, in *startQueryInput) (startQueryOutput, error) {
	groups := in.groups()
	kinds := 0
	for _, set := range []bool{in.LogGroupName != "", len(in.LogGroupNames) > 0, len(in.LogGroupIdentifiers) > 0} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds != 1:
		return startQueryOutput{}, invalidParameter("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be given")
	case len(groups) > maxQueryGroups:
		return startQueryOutput{}, invalidParameter(fmt.Sprintf("A query can name at most %d log groups", maxQueryGroups))
	case in.StartTime == nil || in.EndTime == nil:
		return startQueryOutput{}, invalidParameter("startTime and endTime are required")
	case *in.EndTime < *in.StartTime:
		return startQueryOutput{}, invalidParameter("endTime must not be before startTime")
	case in.QueryLanguage != "" && in.QueryLanguage != "CWLI":
		return startQueryOutput{}, invalidParameter("nubo runs Logs Insights queries (queryLanguage CWLI) only, not " + in.QueryLanguage)
	}
	if err := checkLimit(in.Limit, maxLogEventsPage); err != nil {
		return startQueryOutput{}, err
	}
	q, err := parseInsights(in.QueryString)
	if err != nil {
		return startQueryOutput{}, malformedQuery(err)
	}
	since, until := time.Unix(*in.StartTime, 0), time.Unix(*in.EndTime, 0).Add(time.Second-time.Nanosecond)
	var records []map[string]string
	stats := queryStatistics{}
	for _, g := range groups {
		src, err := a.source(c, g)
		if err != nil {
			return startQueryOutput{}, err
		}
		rq := Query{Since: since, Until: until}
		if !strings.HasPrefix(src.Key, userSourcePrefix) {
			if own, err := a.store.Streams(c.Context(), src.Group); err != nil {
				return startQueryOutput{}, err
			} else if len(own) > 0 {
				rq.Also = []string{UserSource(src.Group)}
			}
		}
		err = a.store.Read(c.Context(), src.Key, rq, func(e Event) error {
			if len(records) == maxQueryRecords {
				return ErrStopRead
			}
			stats.RecordsScanned++
			stats.BytesScanned += float64(len(e.Message))
			records = append(records, insightsRecord(a.account.ID, src.Group, eventStream(e), e))
			return nil
		})
		if err != nil {
			return startQueryOutput{}, err
		}
	}
	rows, matched := q.run(records, in.Limit)
	stats.RecordsMatched = float64(matched)
	size := 0
	for i, row := range rows {
		for _, f := range row {
			size += len(f.Field) + len(f.Value) + 24
		}
		if size > maxQueryResultBytes {
			rows = rows[:i]
			break
		}
	}
	if rows == nil {
		rows = [][]resultField{}
	}
	kv, err := a.store.queriesKV()
	if err != nil {
		return startQueryOutput{}, err
	}
	id := awsapi.NewRequestID()
	if _, err := kv.Put(c.Context(), "q."+id, &queryRecord{Status: "Complete", Results: rows, Statistics: stats, Query: in.QueryString,
		Groups: groups, Created: nowMillis()}); err != nil {
		return startQueryOutput{}, fmt.Errorf("logs: keep query results: %w", err)
	}
	return startQueryOutput{QueryID: id}, nil
}

func (a *api) query(c *awsapi.Call, id string) (*queryRecord, error) {
	kv, err := a.store.queriesKV()
	if err != nil {
		return nil, err
	}
	if id == "" || strings.ContainsAny(id, ".*> ") {
		return nil, awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "Query does not exist: "+id)
	}
	r, _, err := kv.Get(c.Context(), "q."+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "Query does not exist: "+id)
	}
	if err != nil {
		return nil, fmt.Errorf("logs: query %s: %w", id, err)
	}
	return r, nil
}

func (a *api) getQueryResults(c *awsapi.Call, in *queryIDInput) (getQueryResultsOutput, error) {
	r, err := a.query(c, in.QueryID)
	if err != nil {
		return getQueryResultsOutput{}, err
	}
	return getQueryResultsOutput{Results: r.Results, Statistics: r.Statistics, Status: r.Status}, nil
}

// stopQuery: every query is complete once started, so none is stopped.
func (a *api) stopQuery(c *awsapi.Call, in *queryIDInput) (stopQueryOutput, error) {
	if _, err := a.query(c, in.QueryID); err != nil {
		return stopQueryOutput{}, err
	}
	return stopQueryOutput{Success: false}, nil
}

// describeQueries lists the queries kept, newest first.
func (a *api) describeQueries(c *awsapi.Call, in *describeQueriesInput) (describeQueriesOutput, error) {
	if in.MaxResults < 0 || in.MaxResults > 1000 {
		return describeQueriesOutput{}, invalidParameter(fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", in.MaxResults))
	}
	kv, err := a.store.queriesKV()
	if err != nil {
		return describeQueriesOutput{}, err
	}
	entries, err := kv.List(c.Context(), "q.")
	if err != nil {
		return describeQueriesOutput{}, err
	}
	all := []queryInfo{}
	for _, e := range entries {
		r := e.Value
		if r == nil || in.Status != "" && r.Status != in.Status {
			continue
		}
		if in.LogGroupName != "" && !slices.Contains(r.Groups, in.LogGroupName) {
			continue
		}
		qi := queryInfo{QueryID: strings.TrimPrefix(e.Key, "q."), QueryString: r.Query, Status: r.Status, CreateTime: r.Created}
		if len(r.Groups) > 0 {
			qi.LogGroupName = r.Groups[0]
		}
		all = append(all, qi)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].CreateTime > all[j].CreateTime })
	page, next, err := awsapi.Page(all, in.NextToken, in.MaxResults, 1000)
	if err != nil {
		return describeQueriesOutput{}, invalidParameter("The specified nextToken is invalid.")
	}
	return describeQueriesOutput{Queries: page, NextToken: next}, nil
}

func (a *api) insightsOps() []awsapi.Declared {
	return []awsapi.Declared{
		awsapi.Op[startQueryInput, startQueryOutput]{Name: "StartQuery", Action: "logs:StartQuery",
			Resources: func(c *awsapi.Call, in *startQueryInput) ([]awsapi.Target, error) {
				var out []awsapi.Target
				for _, g := range in.groups() {
					out = append(out, a.groupTarget(g)...)
				}
				return out, nil
			},
			Handler: a.startQuery},
		awsapi.Op[queryIDInput, getQueryResultsOutput]{Name: "GetQueryResults", Action: "logs:GetQueryResults", Handler: a.getQueryResults},
		awsapi.Op[queryIDInput, stopQueryOutput]{Name: "StopQuery", Action: "logs:StopQuery", Handler: a.stopQuery},
		awsapi.Op[describeQueriesInput, describeQueriesOutput]{Name: "DescribeQueries", Action: "logs:DescribeQueries", Handler: a.describeQueries},
	}
}
