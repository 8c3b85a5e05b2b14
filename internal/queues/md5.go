package queues

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
)

// MessageAttribute is a message attribute's value: DataType String,
// Number or Binary, optionally with a custom suffix ("Number.int").
type MessageAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	// BinaryValue is the raw bytes (base64 on the wire).
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// binary reports whether the attribute is of the Binary type.
func (a MessageAttribute) binary() bool { return strings.HasPrefix(a.DataType, "Binary") }

// md5Hex is the hex MD5 of s (MD5OfMessageBody).
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// attributesMD5 is MD5OfMessageAttributes as SQS documents it: for each
// attribute in name order, the name, the data type, a transport byte (1
// for a string value, 2 for a binary one) and the value, each string
// prefixed by its length as a 4-byte big-endian integer. "" for none.
func attributesMD5(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	var n [4]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range names {
		a := attrs[name]
		field([]byte(name))
		field([]byte(a.DataType))
		if a.binary() {
			h.Write([]byte{2})
			field(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			field([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
