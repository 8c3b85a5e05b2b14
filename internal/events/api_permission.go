package events

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	condition struct {
		Type  string
		Key   string
		Value string
	}
	putPermissionIn struct {
		EventBusName string
		Action       string
		Principal    string
		StatementId  string
		Condition    *condition
		Policy       string
	}
	removePermissionIn struct {
		EventBusName         string
		StatementId          string
		RemoveAllPermissions bool
	}
	policyDoc struct {
		Version   string            `json:"Version"`
		Statement []json.RawMessage `json:"Statement"`
	}
)

var (
	principalRE   = regexp.MustCompile(`^(\d{12}|\*)$`)
	statementIDRE = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
)

// statementSid reads a statement's Sid.
func statementSid(raw json.RawMessage) string {
	var st struct{ Sid string }
	_ = json.Unmarshal(raw, &st)
	return st.Sid
}

func (s *Service) putPermission(c *awsapi.Call, in *putPermissionIn) (awsapi.None, error) {
	bus := busName(in.EventBusName)
	if in.Policy != "" {
		var doc policyDoc
		if err := json.Unmarshal([]byte(in.Policy), &doc); err != nil || len(doc.Statement) == 0 {
			return awsapi.None{}, awsapi.ValidationError("Parameter Policy is not valid: it must be a policy document with a Statement list.")
		}
		_, err := s.modifyBus(ctxOf(c), bus, func(b *Bus) error { b.Policy = in.Policy; return nil })
		return awsapi.None{}, err
	}
	if in.Action != "events:PutEvents" {
		return awsapi.None{}, awsapi.ValidationError("Provided value in parameter 'action' is not supported.")
	}
	if !principalRE.MatchString(in.Principal) {
		return awsapi.None{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)", in.Principal)
	}
	if !statementIDRE.MatchString(in.StatementId) {
		return awsapi.None{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1 and 64", in.StatementId)
	}
	st := map[string]any{"Sid": in.StatementId, "Effect": "Allow", "Action": in.Action, "Resource": s.BusARN(bus)}
	if in.Principal == "*" {
		st["Principal"] = "*"
	} else {
		st["Principal"] = map[string]string{"AWS": "arn:aws:iam::" + in.Principal + ":root"}
	}
	if in.Condition != nil {
		if in.Condition.Type != "StringEquals" || in.Condition.Key != "aws:PrincipalOrgID" {
			return awsapi.None{}, awsapi.ValidationError("Condition must be of Type StringEquals and Key aws:PrincipalOrgID.")
		}
		st["Condition"] = map[string]any{"StringEquals": map[string]string{in.Condition.Key: in.Condition.Value}}
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, s.PutStatement(ctxOf(c), bus, in.StatementId, raw)
}

// PutStatement adds (or, with the same Sid, replaces) a statement of a
// bus's resource policy.
func (s *Service) PutStatement(ctx context.Context, bus, sid string, raw json.RawMessage) error {
	_, err := s.modifyBus(ctx, bus, func(b *Bus) error {
		doc := policyDoc{Version: "2012-10-17"}
		if b.Policy != "" {
			_ = json.Unmarshal([]byte(b.Policy), &doc)
		}
		kept := doc.Statement[:0]
		for _, old := range doc.Statement {
			if statementSid(old) != sid {
				kept = append(kept, old)
			}
		}
		doc.Statement = append(kept, raw)
		out, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		b.Policy = string(out)
		return nil
	})
	return err
}

// RemoveStatement removes a statement of a bus's resource policy by Sid.
func (s *Service) RemoveStatement(ctx context.Context, bus, sid string) error {
	_, err := s.modifyBus(ctx, bus, func(b *Bus) error {
		var doc policyDoc
		if b.Policy != "" {
			_ = json.Unmarshal([]byte(b.Policy), &doc)
		}
		kept, found := doc.Statement[:0], false
		for _, old := range doc.Statement {
			if statementSid(old) == sid {
				found = true
				continue
			}
			kept = append(kept, old)
		}
		if !found {
			return fmt.Errorf("statement with the provided id does not exist: %w", ErrNotFound)
		}
		doc.Statement = kept
		if len(kept) == 0 {
			b.Policy = ""
			return nil
		}
		out, err := json.Marshal(doc)
		b.Policy = string(out)
		return err
	})
	return err
}

func (s *Service) removePermission(c *awsapi.Call, in *removePermissionIn) (awsapi.None, error) {
	bus := busName(in.EventBusName)
	if !in.RemoveAllPermissions && in.StatementId == "" {
		return awsapi.None{}, awsapi.ValidationError("Either StatementId or RemoveAllPermissions must be specified.")
	}
	if in.RemoveAllPermissions {
		_, err := s.modifyBus(ctxOf(c), bus, func(b *Bus) error { b.Policy = ""; return nil })
		return awsapi.None{}, err
	}
	return awsapi.None{}, s.RemoveStatement(ctxOf(c), bus, in.StatementId)
}
