package events

import "encoding/json"

// rawJSON is json.RawMessage that encodes as null when empty.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("{}"), nil
	}
	return r, nil
}

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

var _ json.Marshaler = rawJSON(nil)
