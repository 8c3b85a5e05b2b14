package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// IAM's answers (MalformedPolicyDocument) to a policy document its grammar
// refuses, in the order IAM checks: JSON, then syntax, then the version,
// then what IAM calls legacy parsing, then statement ids, actions,
// resources and the elements the kind of policy needs.
const (
	MsgInvalidJSON    = "This policy contains invalid Json"
	MsgSyntax         = "Syntax errors in policy."
	MsgVersion        = "Policy document must be version 2012-10-17 or greater."
	MsgLegacy         = "The policy failed legacy parsing"
	MsgSidUnique      = "Statement IDs (SID) in a single policy must be unique."
	MsgSidAlnum       = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	MsgNoActions      = "Policy statement must contain actions."
	MsgNoResources    = "Policy statement must contain resources."
	MsgVendor         = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	MsgOneColon       = "Actions/Condition can contain only one colon."
	MsgPrincipal      = "Policy document should not specify a principal."
	MsgNoPrincipal    = "Missing required field Principal"
	MsgTrustResource  = "Has prohibited field Resource."
	MsgTrustActions   = "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity"
	MsgResourceVendor = "Resource vendor must be fully qualified and cannot contain regexes."
	msgResourceFormat = "Resource %s must be in ARN format or \"*\"."
	msgPartition      = "Partition \"%s\" is not valid for resource \"arn:%s:%s:%s:%s:%s\"."
	msgIAMRegion      = "IAM resource %s cannot contain region information."
	msgS3Region       = "Resource %s can not contain region information."
	msgIAMPath        = "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."
	msgVendorNotValid = "Vendor %s is not valid"
)

// GrammarError is a document IAM refuses; Message is IAM's text.
type GrammarError struct{ Message string }

func (e *GrammarError) Error() string { return e.Message }

// Unwrap makes a GrammarError an ErrMalformed.
func (e *GrammarError) Unwrap() error { return ErrMalformed }

func refuse(format string, args ...any) error {
	if len(args) == 0 {
		return &GrammarError{Message: format}
	}
	return &GrammarError{Message: fmt.Sprintf(format, args...)}
}

// Partitions are the ARN partitions IAM accepts in a Resource.
var Partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

var iamPaths = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/",
	"policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

var trustActions = []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:DecodeAuthorizationMessage",
	"sts:GetAccessKeyInfo", "sts:GetCallerIdentity", "sts:GetFederationToken", "sts:GetServiceBearerToken", "sts:GetSessionToken",
	"sts:SetSourceIdentity", "sts:TagSession"}

// GrammarOptions says what kind of document CheckGrammar checks.
type GrammarOptions struct {
	Kind Kind // Identity or Trust (ResourceBased: the common checks only)
	// RequireVersion2012: managed policies (CreatePolicy, CreatePolicyVersion)
	// must say "Version": "2012-10-17"; inline and trust policies need not.
	RequireVersion2012 bool
}

// gStatement is a statement as IAM's grammar sees it: raw values, whose
// types are checked here.
type gStatement map[string]any

// CheckGrammar checks doc against IAM's policy grammar and returns a
// *GrammarError with IAM's message for the first rule it breaks.
func CheckGrammar(doc []byte, o GrammarOptions) error {
	var top any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil || dec.More() {
		return refuse(MsgInvalidJSON)
	}
	if _, err := dec.Token(); err == nil {
		return refuse(MsgInvalidJSON)
	}
	root, stmts, ok := syntax(top)
	if !ok {
		return refuse(MsgSyntax)
	}
	if o.RequireVersion2012 && root["Version"] != Version2012 {
		return refuse(MsgVersion)
	}
	var resourceErr error
	for _, s := range stmts {
		if !legacy(s) {
			return refuse(MsgLegacy)
		}
		for _, key := range []string{"Resource", "NotResource"} {
			v, ok := s[key]
			if !ok {
				continue
			}
			for _, r := range strs(v) {
				if resourceErr == nil {
					resourceErr = resourceFormat(r)
				}
			}
			if resourceErr == nil && !legacyResources(strs(v)) {
				return refuse(MsgLegacy)
			}
		}
	}
	var sids []string
	for _, s := range stmts {
		sid, _ := s["Sid"].(string)
		if sid == "" {
			continue
		}
		if slices.Contains(sids, sid) {
			return refuse(MsgSidUnique)
		}
		sids = append(sids, sid)
	}
	for _, sid := range sids {
		if strings.IndexFunc(sid, func(r rune) bool { return !isAlnum(r) }) >= 0 {
			return refuse(MsgSidAlnum)
		}
	}
	for _, s := range stmts {
		if !nonEmpty(s, "Action") && !nonEmpty(s, "NotAction") {
			return refuse(MsgNoActions)
		}
	}
	if resourceErr != nil {
		return resourceErr
	}
	for _, s := range stmts {
		for _, key := range []string{"Action", "NotAction"} {
			for _, a := range strs(s[key]) {
				if err := actionPrefix(a); err != nil {
					return err
				}
			}
		}
	}
	switch o.Kind {
	case Identity:
		for _, s := range stmts {
			if !nonEmpty(s, "Resource") && !nonEmpty(s, "NotResource") {
				return refuse(MsgNoResources)
			}
		}
		for _, s := range stmts {
			if _, ok := s["Principal"]; ok {
				return refuse(MsgPrincipal)
			}
			if _, ok := s["NotPrincipal"]; ok {
				return refuse(MsgPrincipal)
			}
		}
	case Trust:
		for _, s := range stmts {
			acts, ok := s["Action"]
			if !ok {
				return refuse(MsgTrustActions)
			}
			for _, a := range strs(acts) {
				if !slices.Contains(trustActions, a) {
					return refuse(MsgTrustActions)
				}
			}
		}
		for _, s := range stmts {
			_, r := s["Resource"]
			_, nr := s["NotResource"]
			if r || nr {
				return refuse(MsgTrustResource)
			}
		}
		for _, s := range stmts {
			_, p := s["Principal"]
			_, np := s["NotPrincipal"]
			if !p && !np {
				return refuse(MsgNoPrincipal)
			}
		}
	}
	return nil
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// syntax checks the document's structure: the elements IAM knows, with
// values of the types it takes.
func syntax(top any) (map[string]any, []gStatement, bool) {
	root, ok := top.(map[string]any)
	if !ok {
		return nil, nil, false
	}
	for k, v := range root {
		switch k {
		case "Version":
			if v != Version2012 && v != Version2008 {
				return nil, nil, false
			}
		case "Id":
			if _, ok := v.(string); !ok {
				return nil, nil, false
			}
		case "Statement":
		default:
			return nil, nil, false
		}
	}
	var items []any
	switch x := root["Statement"].(type) {
	case map[string]any:
		items = []any{x}
	case []any:
		items = x
	default:
		return nil, nil, false
	}
	if len(items) == 0 {
		return nil, nil, false
	}
	stmts := make([]gStatement, 0, len(items))
	for _, it := range items {
		s, ok := it.(map[string]any)
		if !ok || !statementSyntax(s) {
			return nil, nil, false
		}
		stmts = append(stmts, s)
	}
	return root, stmts, true
}

func statementSyntax(s map[string]any) bool {
	for k, v := range s {
		switch k {
		case "Sid":
			if _, ok := v.(string); !ok {
				return false
			}
		case "Effect":
			e, ok := v.(string)
			if !ok || !strings.EqualFold(e, "Allow") && !strings.EqualFold(e, "Deny") {
				return false
			}
		case "Action", "NotAction", "Resource", "NotResource":
			if !stringOrList(v) {
				return false
			}
		case "Principal", "NotPrincipal":
			if !principalSyntax(v) {
				return false
			}
		case "Condition":
			if !conditionSyntax(v) {
				return false
			}
		default:
			return false
		}
	}
	_, a := s["Action"]
	_, na := s["NotAction"]
	_, r := s["Resource"]
	_, nr := s["NotResource"]
	_, e := s["Effect"]
	return e && !(a && na) && !(r && nr)
}

func stringOrList(v any) bool {
	switch x := v.(type) {
	case string:
		return true
	case []any:
		for _, it := range x {
			if _, ok := it.(string); !ok && it != nil {
				return false
			}
		}
		return true
	}
	return false
}

func principalSyntax(v any) bool {
	switch x := v.(type) {
	case string:
		return x == "*"
	case map[string]any:
		for typ, vals := range x {
			switch typ {
			case "AWS", "Service", "Federated", "CanonicalUser":
			default:
				return false
			}
			if !stringOrList(vals) {
				return false
			}
		}
		return true
	}
	return false
}

func conditionSyntax(v any) bool {
	ops, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for op, keys := range ops {
		km, ok := keys.(map[string]any)
		if !ok {
			return false
		}
		for _, vals := range km {
			switch x := vals.(type) {
			case bool, string, json.Number:
			case []any:
				for _, it := range x {
					switch it.(type) {
					case bool, string, json.Number:
					default:
						return false
					}
				}
			default:
				return false
			}
		}
		if _, err := parseOperator(op); err != nil && len(km) > 0 {
			return false
		}
	}
	return true
}
