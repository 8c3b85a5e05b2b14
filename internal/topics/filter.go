package topics

import (
	"encoding/json"
	"strconv"
	"sync"

	"github.com/nubo-run/nubo/internal/eventpattern"
)

// Attribute is a published message attribute.
type Attribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// filterCache holds compiled filter policies by text: derived from the
// subscriptions' records, so any node rebuilds it.
type filterCache struct{ m sync.Map }

func compileFilter(policy string) (*eventpattern.Set, error) {
	return eventpattern.Compile([]eventpattern.Pattern{{ID: "p", JSON: policy}})
}

func (c *filterCache) get(policy string) (*eventpattern.Set, error) {
	if v, ok := c.m.Load(policy); ok {
		return v.(*eventpattern.Set), nil
	}
	set, err := compileFilter(policy)
	if err != nil {
		return nil, err
	}
	c.m.Store(policy, set)
	return set, nil
}

// attributeDocument is the object a MessageAttributes-scope filter
// policy is matched against: each attribute by name, a String as a
// string, a Number as a number, a String.Array as its JSON array (SNS
// matches a policy value against any element); Binary attributes are not
// matched (SNS ignores them), nor are String.Array values that are not a
// JSON array. This is the one place SNS's model differs from an
// EventBridge event; the operators are eventpattern's.
func attributeDocument(attrs map[string]Attribute) map[string]any {
	doc := map[string]any{}
	for name, a := range attrs {
		switch baseType(a.DataType) {
		case "String":
			if a.DataType == "String.Array" {
				var arr []any
				if err := json.Unmarshal([]byte(a.StringValue), &arr); err == nil {
					doc[name] = arr
				}
				continue
			}
			doc[name] = a.StringValue
		case "Number":
			if f, err := strconv.ParseFloat(a.StringValue, 64); err == nil {
				doc[name] = f
			} else {
				doc[name] = a.StringValue
			}
		}
	}
	return doc
}

func baseType(dt string) string {
	for i := range len(dt) {
		if dt[i] == '.' {
			return dt[:i]
		}
	}
	return dt
}

// passes reports whether a message passes sub's filter policy (no policy:
// every message). A MessageBody-scope policy on a body that is not a JSON
// object matches nothing, as on SNS.
func (s *Service) passes(sub *Subscription, body string, attrs map[string]Attribute) bool {
	policy := sub.Attributes[AttrFilterPolicy]
	if policy == "" {
		return true
	}
	set, err := s.filter.get(policy)
	if err != nil {
		return false
	}
	var ev eventpattern.Event
	if sub.Attributes[AttrFilterPolicyScope] == "MessageBody" {
		if ev, err = eventpattern.ParseEvent([]byte(body)); err != nil {
			return false
		}
	} else {
		ev = eventpattern.EventOf(attributeDocument(attrs))
	}
	return len(set.MatchEvent(ev)) > 0
}
