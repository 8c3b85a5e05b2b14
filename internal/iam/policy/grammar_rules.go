package policy

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// The rules of IAM's grammar on values: legacy parsing, dates, resources
// and actions (CheckGrammar applies them in IAM's order).

// legacy is IAM's older parser: Effect exactly Allow or Deny, and date
// condition values IAM can read.
func legacy(s gStatement) bool {
	if s["Effect"] != "Allow" && s["Effect"] != "Deny" {
		return false
	}
	ops, _ := s["Condition"].(map[string]any)
	for op, keys := range ops {
		o, err := parseOperator(op)
		if err != nil || o.fam != famDate {
			continue
		}
		km, _ := keys.(map[string]any)
		for _, vals := range km {
			for _, d := range condStrs(vals) {
				if !dateValue(d) {
					return false
				}
			}
		}
	}
	return true
}

func legacyResources(rs []string) bool {
	for _, r := range rs {
		if r == "" || r == "*" {
			continue
		}
		if strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
			return false
		}
		if parts := strings.Split(r, ":"); len(parts) > 2 && parts[2] == "" {
			return false
		}
	}
	return true
}

// dateValue is an ISO 8601 date-time or a count of seconds since the epoch.
func dateValue(v string) bool {
	if strings.HasPrefix(v, "${") {
		return true // a policy variable, resolved per request
	}
	l := strings.ToLower(v)
	if !strings.ContainsAny(l, "t-") {
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n >= 0
	}
	date, clock, _ := strings.Cut(l, "t")
	parts := strings.Split(strings.TrimPrefix(date, "-"), "-")
	if len(parts) > 3 || !inRange(parts[0], 0, 292278993) {
		return false
	}
	if len(parts) > 1 && !inRange(parts[1], 1, 12) || len(parts) > 2 && !inRange(parts[2], 1, 31) {
		return false
	}
	if clock == "" {
		return true
	}
	hms := strings.SplitN(clock, ":", 3)
	if !inRange(hms[0], 0, 23) || len(hms) > 1 && !inRange(hms[1], 0, 59) {
		return false
	}
	if len(hms) < 3 {
		return true
	}
	sec := hms[2]
	if i := strings.IndexAny(sec, "z+"); i >= 0 {
		zone := sec[i:]
		sec = sec[:i]
		if zone != "z" {
			h, m, hasM := strings.Cut(zone[1:], ":")
			if len(h) != 2 || !inRange(h, 0, 23) || hasM && (len(m) != 2 || !inRange(m, 0, 59)) {
				return false
			}
		}
	}
	whole, frac, hasFrac := strings.Cut(sec, ".")
	return inRange(whole, 0, 59) && (!hasFrac || inRange(frac, 0, 999999999))
}

func inRange(s string, lo, hi int64) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n >= lo && n <= hi
}

// resourceFormat checks one Resource value's ARN shape.
func resourceFormat(r string) error {
	if r == "*" || r == "" {
		return nil
	}
	_, rest, ok := strings.Cut(r, ":")
	if !ok {
		return refuse(msgResourceFormat, r)
	}
	partition, rest, hasService := strings.Cut(rest, ":")
	if partition != "*" && !slices.Contains(Partitions, partition) {
		// IAM names the resource with each missing part as "*".
		f := strings.SplitN(rest, ":", 4)
		for len(f) < 4 {
			f = append(f, "*")
		}
		if f[0] == "" && f[1] == "*" {
			f[0] = "*"
		}
		return refuse(msgPartition, partition, partition, f[0], f[1], f[2], f[3])
	}
	if !hasService {
		return refuse(MsgResourceVendor)
	}
	service, afterService, _ := strings.Cut(rest, ":")
	_, afterRegion, _ := strings.Cut(afterService, ":")
	_, id, _ := strings.Cut(afterRegion, ":")
	regional := !strings.HasPrefix(afterService, ":")
	switch service {
	case "iam":
		if regional {
			return refuse(msgIAMRegion, r)
		}
		if id != "*" && id != "root" && !slices.ContainsFunc(iamPaths, func(p string) bool { return strings.HasPrefix(id, p) }) {
			return refuse(msgIAMPath)
		}
	case "s3":
		if regional && !strings.HasPrefix(id, "accesspoint/") {
			return refuse(msgS3Region, r)
		}
	}
	return nil
}

// actionPrefix checks an Action value is service:action (or *).
func actionPrefix(a string) error {
	parts := strings.Split(a, ":")
	if len(parts) == 1 && parts[0] != "*" {
		return refuse(MsgVendor)
	}
	if len(parts) > 2 {
		return refuse(MsgOneColon)
	}
	if parts[0] != "*" && strings.IndexFunc(parts[0], func(r rune) bool { return !isAlnum(r) && r != '-' && r != '.' }) >= 0 {
		return refuse(msgVendorNotValid, parts[0])
	}
	return nil
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func condStrs(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, it := range x {
			out = append(out, condStrs(it)...)
		}
		return out
	case string:
		return []string{x}
	case json.Number:
		return []string{x.String()}
	}
	return nil
}

func nonEmpty(s gStatement, key string) bool {
	switch x := s[key].(type) {
	case string:
		return true
	case []any:
		return len(x) > 0
	}
	return false
}
