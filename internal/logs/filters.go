package logs

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// Metric and subscription filters are kept in KV buckets of their own,
// keyed by group and filter name: metricFiltersBucket and
// subscriptionsBucket. Subscriptions are also followed into a
// backbone.Cache on every node, which the write path asks whether a
// group's lines are to be delivered.
const (
	metricFiltersBucket = "nubo_log_metric_filters"
	subscriptionsBucket = "nubo_log_subscriptions"
)

// ErrFilterNotFound is a metric or subscription filter that does not
// exist; ErrFilterLimit a group that has as many filters of the kind as
// AWS allows.
var (
	ErrFilterNotFound = errors.New("filter not found")
	ErrFilterLimit    = errors.New("filter limit exceeded")
)

// AWS's limits per log group.
const (
	maxMetricFilters       = 100
	maxSubscriptionFilters = 2
)

// MetricTransformation is how a metric filter turns matching events into
// a metric's values (kept as given: nubo has no CloudWatch metrics).
type MetricTransformation struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

// MetricFilter is one PutMetricFilter.
type MetricFilter struct {
	Group                 string                 `json:"logGroupName"`
	Name                  string                 `json:"filterName"`
	Pattern               string                 `json:"filterPattern"`
	Transformations       []MetricTransformation `json:"metricTransformations"`
	Created               int64                  `json:"creationTime"`
	ApplyOnTransformedLog bool                   `json:"applyOnTransformedLogs,omitempty"`
}

// SubscriptionFilter is one PutSubscriptionFilter: the group's events
// matching Pattern are delivered to Destination (a function's ARN).
type SubscriptionFilter struct {
	Group        string `json:"logGroupName"`
	Name         string `json:"filterName"`
	Pattern      string `json:"filterPattern"`
	Destination  string `json:"destinationArn"`
	RoleARN      string `json:"roleArn,omitempty"`
	Distribution string `json:"distribution,omitempty"`
	Created      int64  `json:"creationTime"`
}

func filterPrefix(group string) string { return hex.EncodeToString([]byte(group)) + "." }

func filterKey(group, name string) string {
	return filterPrefix(group) + hex.EncodeToString([]byte(name))
}

func (l *Store) filterKV(bucket string) (jetstream.KeyValue, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	kv := l.metricFilters
	if bucket == subscriptionsBucket {
		kv = l.subscriptions
	}
	if kv == nil {
		return nil, errors.New("logs: store not started")
	}
	return kv, nil
}

// putFilter stores a filter under group and name, refused by check (given
// the group's other filters) when it returns an error.
func putFilter[T any](ctx context.Context, l *Store, bucket, group, name string, f *T, check func(others int) error) (uint64, error) {
	kv, err := l.filterKV(bucket)
	if err != nil {
		return 0, err
	}
	t := backbone.Typed[T](kv)
	keys, err := t.Keys(ctx, filterPrefix(group))
	if err != nil {
		return 0, err
	}
	others := 0
	for _, k := range keys {
		if k != filterKey(group, name) {
			others++
		}
	}
	if err := check(others); err != nil {
		return 0, err
	}
	rev, err := t.Put(ctx, filterKey(group, name), f)
	if err != nil {
		return 0, fmt.Errorf("log group %q: filter %q: %w", group, name, err)
	}
	return rev, nil
}

// listFilters returns a group's filters ("" : every group's), by key.
func listFilters[T any](ctx context.Context, l *Store, bucket, group string) ([]*T, error) {
	kv, err := l.filterKV(bucket)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if group != "" {
		prefix = filterPrefix(group)
	}
	entries, err := backbone.Typed[T](kv).List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(entries))
	for _, e := range entries {
		if e.Value != nil {
			out = append(out, e.Value)
		}
	}
	return out, nil
}

func deleteFilter(ctx context.Context, l *Store, bucket, group, name string) error {
	kv, err := l.filterKV(bucket)
	if err != nil {
		return err
	}
	if _, err := kv.Get(ctx, filterKey(group, name)); errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("log group %q: filter %q: %w", group, name, ErrFilterNotFound)
	} else if err != nil {
		return fmt.Errorf("log group %q: filter %q: %w", group, name, err)
	}
	if err := kv.Purge(ctx, filterKey(group, name)); err != nil {
		return fmt.Errorf("log group %q: filter %q: %w", group, name, err)
	}
	return nil
}

// PutMetricFilter creates or replaces a metric filter; a group has at most
// maxMetricFilters.
func (l *Store) PutMetricFilter(ctx context.Context, f MetricFilter) error {
	_, err := putFilter(ctx, l, metricFiltersBucket, f.Group, f.Name, &f, func(others int) error {
		if others >= maxMetricFilters {
			return ErrFilterLimit
		}
		return nil
	})
	return err
}

// MetricFilters returns a group's metric filters ("": all), sorted by
// group and name.
func (l *Store) MetricFilters(ctx context.Context, group string) ([]*MetricFilter, error) {
	out, err := listFilters[MetricFilter](ctx, l, metricFiltersBucket, group)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}

// DeleteMetricFilter deletes a metric filter.
func (l *Store) DeleteMetricFilter(ctx context.Context, group, name string) error {
	return deleteFilter(ctx, l, metricFiltersBucket, group, name)
}

// PutSubscriptionFilter creates or replaces a subscription filter; a group
// has at most maxSubscriptionFilters.
func (l *Store) PutSubscriptionFilter(ctx context.Context, f SubscriptionFilter) error {
	rev, err := putFilter(ctx, l, subscriptionsBucket, f.Group, f.Name, &f, func(others int) error {
		if others >= maxSubscriptionFilters {
			return ErrFilterLimit
		}
		return nil
	})
	if err == nil {
		l.subs().Remember(filterKey(f.Group, f.Name), &f, rev)
	}
	return err
}

// SubscriptionFilters returns a group's subscription filters, sorted by name.
func (l *Store) SubscriptionFilters(ctx context.Context, group string) ([]*SubscriptionFilter, error) {
	out, err := listFilters[SubscriptionFilter](ctx, l, subscriptionsBucket, group)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// DeleteSubscriptionFilter deletes a subscription filter.
func (l *Store) DeleteSubscriptionFilter(ctx context.Context, group, name string) error {
	if err := deleteFilter(ctx, l, subscriptionsBucket, group, name); err != nil {
		return err
	}
	if c := l.subs(); c != nil {
		if _, rev, ok := c.Get(filterKey(group, name)); ok {
			c.Remember(filterKey(group, name), nil, rev+1)
		}
	}
	return nil
}

// deleteGroupFilters drops every filter of a deleted group.
func (l *Store) deleteGroupFilters(ctx context.Context, group string) error {
	for _, bucket := range []string{metricFiltersBucket, subscriptionsBucket} {
		kv, err := l.filterKV(bucket)
		if err != nil {
			return err
		}
		keys, err := backbone.Typed[struct{}](kv).Keys(ctx, filterPrefix(group))
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := kv.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
				return fmt.Errorf("log group %q: drop filters: %w", group, err)
			}
		}
	}
	return nil
}

// subscribed reports whether a group has subscription filters, from this
// node's cache of them (false until the store started).
func (l *Store) subscribed(group string) bool {
	c := l.subs()
	if c == nil {
		return false
	}
	return len(c.List(filterPrefix(group))) > 0
}

func (l *Store) subs() *backbone.Cache[SubscriptionFilter] {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.subCache
}

// metricFilterCount is how many metric filters a group has (for
// DescribeLogGroups).
func (l *Store) metricFilterCounts(ctx context.Context) (map[string]int, error) {
	all, err := l.MetricFilters(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, f := range all {
		out[f.Group]++
	}
	return out, nil
}
