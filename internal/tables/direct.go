package tables

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// maxDirect is the most items one batched direct get returns (the
// server's limit on multi_last answers is 1024); a larger partition is
// read with a watch instead.
const maxDirect = 1000

// readDirect reads the latest value of every key under filter with one
// batched direct get (JetStream's multi_last): one request, no consumer.
// ok is false when the answer would be partial (too many keys or bytes):
// the caller reads with a watch.
func (s *Store) readDirect(ctx context.Context, kv jetstream.KeyValue, filter string) (out []stored, ok bool, err error) {
	bucket := kv.Bucket()
	prefix := "$KV." + bucket + "."
	body, err := json.Marshal(map[string]any{"multi_last": []string{prefix + filter}, "batch": maxDirect + 1})
	if err != nil {
		return nil, false, err
	}
	nc := s.opts.Backbone.Conn()
	inbox := nats.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, false, fmt.Errorf("tables: direct get: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.PublishRequest("$JS.API.DIRECT.GET.KV_"+bucket, inbox, body); err != nil {
		return nil, false, fmt.Errorf("tables: direct get: %w", err)
	}
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return nil, false, fmt.Errorf("tables: direct get: %w", err)
		}
		switch m.Header.Get("Status") {
		case "":
		case "204": // end of batch
			if p := m.Header.Get("Nats-Num-Pending"); p != "" && p != "0" {
				return nil, false, nil
			}
			sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
			return out, true, nil
		case "404":
			return nil, true, nil
		default:
			return nil, false, nil
		}
		if len(out) >= maxDirect {
			return nil, false, nil
		}
		if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			continue
		}
		var it attr.Item
		if err := json.Unmarshal(m.Data, &it); err != nil {
			return nil, false, fmt.Errorf("tables: decode %s: %w", m.Header.Get("Nats-Subject"), err)
		}
		out = append(out, stored{key: strings.TrimPrefix(m.Header.Get("Nats-Subject"), prefix), item: it})
	}
}
