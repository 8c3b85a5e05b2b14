package logs

import "strings"

// matchFilter is the plain-term subset of CloudWatch filter patterns: every
// term must appear ("quoted phrases" count as one term); a pattern with JSON
// or space-delimited selectors matches everything rather than nothing.
func matchFilter(pattern, msg string) bool {
	pattern = strings.TrimSpace(pattern)
	if pattern == "" || strings.HasPrefix(pattern, "{") || strings.HasPrefix(pattern, "[") {
		return true
	}
	for _, term := range filterTerms(pattern) {
		if strings.HasPrefix(term, "-") && len(term) > 1 {
			if strings.Contains(msg, term[1:]) {
				return false
			}
			continue
		}
		if !strings.Contains(msg, term) {
			return false
		}
	}
	return true
}

func filterTerms(p string) []string {
	var terms []string
	for len(p) > 0 {
		p = strings.TrimLeft(p, " \t")
		if p == "" {
			break
		}
		if p[0] == '"' {
			// A quoted phrase; \" inside it is a literal quote.
			var term strings.Builder
			i := 1
			for ; i < len(p) && p[i] != '"'; i++ {
				if p[i] == '\\' && i+1 < len(p) {
					i++
				}
				term.WriteByte(p[i])
			}
			terms = append(terms, term.String())
			p = p[min(i+1, len(p)):]
			continue
		}
		i := strings.IndexAny(p, " \t")
		if i < 0 {
			terms = append(terms, p)
			break
		}
		terms = append(terms, p[:i])
		p = p[i:]
	}
	return terms
}

// maxFilterPattern is the longest filter pattern AWS accepts.
const maxFilterPattern = 1024

// checkFilterPattern refuses a filter pattern that matchFilter could not
// read as AWS writes them: over 1024 characters, a quote left open, or a
// JSON ({ }) or space-delimited ([ ]) selector not closed. It does not
// check what is inside the selectors (matchFilter does not apply them).
func checkFilterPattern(pattern string) error {
	if len(pattern) > maxFilterPattern {
		return invalidParameter("1 validation error detected: Value at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	p := strings.TrimSpace(pattern)
	depth := map[byte]int{}
	inQuote := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '{', c == '[', c == '(':
			depth[c]++
		case c == '}', c == ']', c == ')':
			open := map[byte]byte{'}': '{', ']': '[', ')': '('}[c]
			if depth[open] == 0 {
				return invalidParameter("Invalid character(s) in term '" + string(c) + "'")
			}
			depth[open]--
		}
	}
	if inQuote {
		return invalidParameter("Invalid filter pattern: a quoted term is not closed")
	}
	for _, open := range []byte{'{', '[', '('} {
		if depth[open] > 0 {
			return invalidParameter("Invalid filter pattern: '" + string(open) + "' is not closed")
		}
	}
	return nil
}
