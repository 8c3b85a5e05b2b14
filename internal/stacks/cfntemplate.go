package stacks

import (
	"context"
	"encoding/json"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The CloudFormation API's template operations: ValidateTemplate,
// GetTemplate and GetTemplateSummary.
type (
	validateTemplateIn struct {
		TemplateBody string
		TemplateURL  string
	}
	cfnTemplateParameter struct {
		ParameterKey string `xml:"ParameterKey"`
		DefaultValue string `xml:"DefaultValue,omitempty"`
		NoEcho       bool   `xml:"NoEcho"`
		Description  string `xml:"Description,omitempty"`
	}
	validateTemplateOut struct {
		Parameters         []cfnTemplateParameter `xml:"Parameters>member"`
		Description        string                 `xml:"Description,omitempty"`
		Capabilities       []string               `xml:"Capabilities>member"`
		CapabilitiesReason string                 `xml:"CapabilitiesReason,omitempty"`
		DeclaredTransforms []string               `xml:"DeclaredTransforms>member"`
	}
	getTemplateIn struct {
		StackName     string
		ChangeSetName string
		TemplateStage string
	}
	getTemplateOut struct {
		TemplateBody    string   `xml:"TemplateBody"`
		StagesAvailable []string `xml:"StagesAvailable>member"`
	}
	getTemplateSummaryIn struct {
		StackName    string
		TemplateBody string
		TemplateURL  string
	}
	cfnConstraints struct {
		AllowedValues []string `xml:"AllowedValues>member"`
	}
	cfnParameterDeclaration struct {
		ParameterKey         string          `xml:"ParameterKey"`
		DefaultValue         string          `xml:"DefaultValue,omitempty"`
		ParameterType        string          `xml:"ParameterType"`
		NoEcho               bool            `xml:"NoEcho"`
		Description          string          `xml:"Description,omitempty"`
		ParameterConstraints *cfnConstraints `xml:"ParameterConstraints,omitempty"`
	}
	getTemplateSummaryOut struct {
		Parameters         []cfnParameterDeclaration `xml:"Parameters>member"`
		Description        string                    `xml:"Description,omitempty"`
		Capabilities       []string                  `xml:"Capabilities>member"`
		CapabilitiesReason string                    `xml:"CapabilitiesReason,omitempty"`
		ResourceTypes      []string                  `xml:"ResourceTypes>member"`
		Version            string                    `xml:"Version,omitempty"`
		DeclaredTransforms []string                  `xml:"DeclaredTransforms>member"`
	}
)

// parseFor parses body as the engine's plans do (the same entry point and
// transforms) for the stack named stack with id id.
func (e *Engine) parseFor(stack, id, body string) (*Template, error) {
	var expand Expander
	if e.opts.Transform != nil {
		env := e.pseudo(stack, id)
		expand = func(m map[string]any) (map[string]any, error) { return e.opts.Transform(m, env) }
	}
	t, err := ParseTemplate([]byte(body), expand)
	if err != nil {
		return nil, cfnValidation("Template format error: %v", err)
	}
	return t, nil
}

// validationStack names the stack a template is parsed for outside one.
const validationStack = "template-validation"

func (e *Engine) validateTemplate(_ *awsapi.Call, in *validateTemplateIn) (validateTemplateOut, error) {
	body, err := templateParam(in.TemplateBody, in.TemplateURL)
	if err != nil {
		return validateTemplateOut{}, err
	}
	t, err := e.parseFor(validationStack, "", body)
	if err != nil {
		return validateTemplateOut{}, err
	}
	out := validateTemplateOut{Description: t.Description, DeclaredTransforms: t.Transform}
	out.Capabilities, out.CapabilitiesReason = requiredCapabilities(t, true)
	for _, name := range sortedKeys(t.Parameters) {
		d := t.Parameters[name]
		p := cfnTemplateParameter{ParameterKey: name, NoEcho: d.NoEcho, Description: d.Description}
		if d.Default != nil {
			p.DefaultValue = *d.Default
		}
		out.Parameters = append(out.Parameters, p)
	}
	return out, nil
}

func (e *Engine) getTemplate(c *awsapi.Call, in *getTemplateIn) (getTemplateOut, error) {
	ctx := c.Context()
	var stack, id, body string
	if in.ChangeSetName != "" {
		cs, err := e.findChangeSet(ctx, in.ChangeSetName, in.StackName)
		if err != nil {
			return getTemplateOut{}, err
		}
		stack, id, body = cs.Stack, cs.StackID, cs.Template
	} else {
		st, err := e.stackFor(ctx, in.StackName)
		if err != nil {
			return getTemplateOut{}, err
		}
		stack, id, body = st.Name, st.ID, st.Template
	}
	out := getTemplateOut{TemplateBody: body, StagesAvailable: []string{"Original", "Processed"}}
	switch in.TemplateStage {
	case "", "Original":
	case "Processed":
		t, err := e.parseFor(stack, id, body)
		if err != nil {
			return getTemplateOut{}, err
		}
		b, err := json.Marshal(t.Raw)
		if err != nil {
			return getTemplateOut{}, err
		}
		out.TemplateBody = string(b)
	default:
		return getTemplateOut{}, cfnValidation("TemplateStage %q: want Original or Processed", in.TemplateStage)
	}
	return out, nil
}

func (e *Engine) getTemplateSummary(c *awsapi.Call, in *getTemplateSummaryIn) (getTemplateSummaryOut, error) {
	t, err := e.summaryTemplate(c.Context(), in)
	if err != nil {
		return getTemplateSummaryOut{}, err
	}
	out := getTemplateSummaryOut{Description: t.Description, DeclaredTransforms: t.Transform, Version: "2010-09-09", ResourceTypes: []string{}}
	out.Capabilities, out.CapabilitiesReason = requiredCapabilities(t, true)
	for _, id := range t.ids {
		if typ := t.Resources[id].Type; !containsString(out.ResourceTypes, typ) {
			out.ResourceTypes = append(out.ResourceTypes, typ)
		}
	}
	for _, name := range sortedKeys(t.Parameters) {
		d := t.Parameters[name]
		p := cfnParameterDeclaration{ParameterKey: name, ParameterType: d.Type, NoEcho: d.NoEcho, Description: d.Description}
		if d.Default != nil {
			p.DefaultValue = *d.Default
		}
		if len(d.AllowedValues) > 0 {
			p.ParameterConstraints = &cfnConstraints{AllowedValues: d.AllowedValues}
		}
		out.Parameters = append(out.Parameters, p)
	}
	return out, nil
}

// summaryTemplate is the template GetTemplateSummary describes: a stack's,
// or the one passed.
func (e *Engine) summaryTemplate(ctx context.Context, in *getTemplateSummaryIn) (*Template, error) {
	if in.StackName != "" {
		if in.TemplateBody != "" || in.TemplateURL != "" {
			return nil, cfnValidation("Specify exactly one of StackName, TemplateBody and TemplateURL")
		}
		st, err := e.stackFor(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		return e.parseFor(st.Name, st.ID, st.Template)
	}
	body, err := templateParam(in.TemplateBody, in.TemplateURL)
	if err != nil {
		return nil, err
	}
	return e.parseFor(validationStack, "", body)
}
