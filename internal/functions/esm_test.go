package functions

import (
	"sort"
	"strings"
	"testing"
)

func TestBatchItemFailures(t *testing.T) {
	records := []sqsRecord{{MessageID: "a"}, {MessageID: "b"}, {MessageID: "c"}}
	cases := []struct {
		name    string
		payload string
		failed  string // sorted ids, comma-separated
		ok      bool
	}{
		{"empty answer", ``, "", true},
		{"null", `null`, "", true},
		{"no failures", `{"batchItemFailures":[]}`, "", true},
		{"not an object", `"done"`, "", true},
		{"other fields", `{"statusCode":200}`, "", true},
		{"one failure", `{"batchItemFailures":[{"itemIdentifier":"b"}]}`, "b", true},
		{"two failures", `{"batchItemFailures":[{"itemIdentifier":"c"},{"itemIdentifier":"a"}]}`, "a,c", true},
		{"unknown id", `{"batchItemFailures":[{"itemIdentifier":"z"}]}`, "", false},
		{"empty id", `{"batchItemFailures":[{"itemIdentifier":""}]}`, "", false},
		{"missing id", `{"batchItemFailures":[{}]}`, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			failed, ok := batchItemFailures([]byte(tc.payload), records)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			var ids []string
			for id := range failed {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			if got := strings.Join(ids, ","); got != tc.failed {
				t.Fatalf("failed = %q, want %q", got, tc.failed)
			}
		})
	}
}

func FuzzBatchItemFailures(f *testing.F) {
	f.Add(`{"batchItemFailures":[{"itemIdentifier":"a"}]}`)
	f.Add(`{"batchItemFailures":[{"itemIdentifier":null}]}`)
	f.Add(`{"batchItemFailures":{}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, payload string) {
		records := []sqsRecord{{MessageID: "a"}, {MessageID: "b"}}
		failed, ok := batchItemFailures([]byte(payload), records)
		if !ok {
			return
		}
		for id := range failed {
			if id != "a" && id != "b" {
				t.Fatalf("failed names %q, not in the batch", id)
			}
		}
	})
}

func TestValidateMapping(t *testing.T) {
	two, one := 2, 1
	cases := []struct {
		name string
		m    Mapping
		err  string // "" for valid
	}{
		{"defaults", Mapping{BatchSize: 10}, ""},
		{"large batch with window", Mapping{BatchSize: 10000, MaxBatchingWindow: 5}, ""},
		{"batch zero", Mapping{BatchSize: 0}, "BatchSize"},
		{"batch too large", Mapping{BatchSize: 10001, MaxBatchingWindow: 1}, "BatchSize"},
		{"large batch without window", Mapping{BatchSize: 11}, "Maximum batch window"},
		{"window too long", Mapping{BatchSize: 10, MaxBatchingWindow: 301}, "MaximumBatchingWindowInSeconds"},
		{"response type", Mapping{BatchSize: 10, FunctionResponseTypes: []string{"Everything"}}, "FunctionResponseTypes"},
		{"concurrency", Mapping{BatchSize: 10, ScalingConfig: &ScalingConfig{MaximumConcurrency: &two}}, ""},
		{"concurrency too low", Mapping{BatchSize: 10, ScalingConfig: &ScalingConfig{MaximumConcurrency: &one}}, "MaximumConcurrency"},
		{"filter", Mapping{BatchSize: 10, FilterCriteria: &FilterCriteria{Filters: []EventFilter{{Pattern: `{"body":{"kind":["a"]}}`}}}}, ""},
		{"bad filter", Mapping{BatchSize: 10, FilterCriteria: &FilterCriteria{Filters: []EventFilter{{Pattern: `{"body":`}}}}, "Filters[0].Pattern"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := validateMapping(&tc.m)
			if tc.err == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("error = %v, want one naming %s", err, tc.err)
			}
		})
	}
}

func TestFilterMatchesRecord(t *testing.T) {
	set, err := compileFilters([]EventFilter{{Pattern: `{"body":{"kind":["order"]}}`}, {Pattern: `{"messageAttributes":{"color":{"stringValue":["blue"]}}}`}})
	if err != nil {
		t.Fatal(err)
	}
	p := &mappingPollers{filter: set}
	blue := "blue"
	cases := []struct {
		name string
		rec  sqsRecord
		want bool
	}{
		{"json body", sqsRecord{Body: `{"kind":"order"}`}, true},
		{"other json body", sqsRecord{Body: `{"kind":"refund"}`}, false},
		{"plain body", sqsRecord{Body: `order`}, false},
		{"attribute", sqsRecord{Body: `x`, MessageAttributes: map[string]sqsAttribute{"color": {StringValue: &blue, DataType: "String"}}}, true},
	}
	for _, tc := range cases {
		if got := p.matches(tc.rec); got != tc.want {
			t.Errorf("%s: matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}
