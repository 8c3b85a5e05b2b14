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
