package queues

import "testing"

// TestAttributesMD5: the digests of moto's independent implementation of
// SQS's algorithm (python3 -c 'from moto.sqs.models import Message; ...').
func TestAttributesMD5(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]MessageAttribute
		want  string
	}{
		{"none", nil, ""},
		{"one string", map[string]MessageAttribute{"a": {DataType: "String", StringValue: "x"}}, "a512aac9938034acb0b3c3d965944bf1"},
		{"string, custom number, binary", map[string]MessageAttribute{
			"kind":  {DataType: "String", StringValue: "greeting"},
			"n":     {DataType: "Number.int", StringValue: "7"},
			"bytes": {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 255}},
		}, "dab3f43cf135f70f0e962b58bf538d4c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := attributesMD5(tt.attrs); got != tt.want {
				t.Fatalf("attributesMD5 = %q, want %q", got, tt.want)
			}
		})
	}
}
