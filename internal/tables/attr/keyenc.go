package attr

import (
	"encoding/hex"
	"fmt"
)

// KeyBytes encodes a key attribute (S, N or B) so that byte order is
// DynamoDB's order: S and B as their bytes, N as sign, exponent and
// digits (negative numbers inverted), so a range read over encoded keys
// returns items in sort-key order.
func KeyBytes(v Value) []byte {
	switch v.Kind {
	case S, B:
		return []byte(v.Str)
	case N:
		d := v.Decimal()
		if d.IsZero() {
			return []byte{0x02}
		}
		e := d.Exp + 1000
		if !d.Neg {
			out := []byte{0x03, byte(e >> 8), byte(e)}
			return append(out, d.Digits...)
		}
		e = 2000 - e
		out := []byte{0x01, byte(e >> 8), byte(e)}
		for i := 0; i < len(d.Digits); i++ {
			out = append(out, '9'-d.Digits[i]+'0')
		}
		return append(out, '~')
	}
	return nil
}

// KeyToken is KeyBytes as a KV key token: lowercase hex, which keeps the
// byte order and uses only characters a NATS subject token allows.
func KeyToken(v Value) string { return hex.EncodeToString(KeyBytes(v)) }

// FromKeyToken decodes a token written by KeyToken for a key of kind k.
func FromKeyToken(k Kind, tok string) (Value, error) {
	b, err := hex.DecodeString(tok)
	if err != nil {
		return Value{}, fmt.Errorf("key token %q: %w", tok, err)
	}
	switch k {
	case S, B:
		return Value{Kind: k, Str: string(b)}, nil
	case N:
		if len(b) == 1 {
			return Num("0"), nil
		}
		if len(b) < 4 {
			return Value{}, fmt.Errorf("key token %q: short number", tok)
		}
		e := int(b[1])<<8 | int(b[2])
		digits := b[3:]
		d := Decimal{}
		if b[0] == 0x01 {
			d.Neg = true
			e = 2000 - e
			digits = digits[:len(digits)-1]
			inv := make([]byte, len(digits))
			for i, c := range digits {
				inv[i] = '9' - c + '0'
			}
			digits = inv
		}
		d.Exp, d.Digits = e-1000, string(digits)
		return Value{Kind: N, Str: d.String()}, nil
	}
	return Value{}, fmt.Errorf("key kind %s", k)
}
