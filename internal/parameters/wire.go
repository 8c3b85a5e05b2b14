package parameters

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"sort"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxRequestBody bounds what the SSM API reads of a request. Every valid
// request is far smaller (a value is at most 8192 characters), so that a
// request within it but too large is refused naming the field (a 5 MB
// value: the tier's limit), and one beyond it is refused as too large
// rather than cut short and misread.
const maxRequestBody = 8 << 20

// ciphertextHeader starts every stand-in ciphertext blob, as a KMS
// ciphertext blob starts with its version and key bytes.
var ciphertextHeader = []byte{0x01, 0x02, 0x02, 0x00, 0x78, 'n', 'u', 'b', 'o'}

// ciphertext stands in for the KMS ciphertext blob SSM returns, base64, for
// a SecureString read without WithDecryption. It is opaque and tells nothing
// of the value (it is derived from the parameter's ARN, version and time of
// that version only), and the same for every read of one version.
func (s *Store) ciphertext(p *Parameter) string {
	h := sha256.New()
	h.Write([]byte(s.ARN(p.Name)))
	var n [16]byte
	binary.BigEndian.PutUint64(n[:8], uint64(p.Version))
	binary.BigEndian.PutUint64(n[8:], uint64(p.LastModified.UnixNano()))
	h.Write(n[:])
	blob := append(append([]byte{}, ciphertextHeader...), h.Sum(nil)...)
	return base64.StdEncoding.EncodeToString(blob)
}

// invalidUnicodeField names the first top-level member of a JSON request
// body (as SSM names fields: lowerCamelCase) whose text is not valid
// Unicode: bytes that are not UTF-8, or a \u escape of a lone surrogate.
// encoding/json would quietly turn either into U+FFFD. It returns "" when
// every member is valid, or when body is not a JSON object (decoding
// reports that).
func invalidUnicodeField(body []byte) string {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		if !validUnicodeJSON(body) {
			return "request body"
		}
		return ""
	}
	names := make([]string, 0, len(members))
	for k := range members {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !validUnicodeJSON(members[k]) {
			if k == "" {
				return "request body"
			}
			return lowerFirst(k)
		}
	}
	// Member names themselves (the map holds them decoded).
	if !validUnicodeJSON(body) {
		return "request body"
	}
	return ""
}

// validUnicodeJSON reports whether raw JSON text is valid UTF-8 and every
// \u escape of a surrogate is half of a pair.
func validUnicodeJSON(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		if i+1 >= len(raw) {
			return true // not JSON; decoding reports it
		}
		if raw[i+1] != 'u' {
			i++ // a one-character escape, \\ included
			continue
		}
		r, ok := hex4(raw[i+2:])
		if !ok {
			return true // not JSON; decoding reports it
		}
		switch {
		case utf16.IsSurrogate(r) && r < 0xDC00: // high: a low must follow
			if len(raw) < i+12 || raw[i+6] != '\\' || raw[i+7] != 'u' {
				return false
			}
			lo, ok := hex4(raw[i+8:])
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 11
		case utf16.IsSurrogate(r): // a low alone
			return false
		default:
			i += 5
		}
	}
	return true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
