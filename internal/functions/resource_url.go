package functions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
)

// URLProvider is AWS::Lambda::Url: a function URL, kept by the URLStore the
// Lambda API's function URL operations use too (the platform backs it with
// the gateway, which serves the URLs).
//
// Physical id: the target function as the template gives it (a name or an
// ARN), and "#QUALIFIER" when it has one.
type URLProvider struct {
	urls    URLStore
	account awsapi.Account
}

var _ stacks.Provider = (*URLProvider)(nil)

// NewURLProvider returns the provider over urls; account makes the
// FunctionArn attribute of a function named without an ARN.
func NewURLProvider(urls URLStore, account awsapi.Account) *URLProvider {
	return &URLProvider{urls: urls, account: account}
}

// urlModel is AWS::Lambda::Url's properties.
type urlModel struct {
	TargetFunctionArn string
	Qualifier         string
	AuthType          string
	InvokeMode        string
	Cors              *urlCorsModel
}

type urlCorsModel struct {
	AllowCredentials bool
	AllowHeaders     []string
	AllowMethods     []string
	AllowOrigins     []string
	ExposeHeaders    []string
	MaxAge           int
}

// Type implements stacks.Provider.
func (*URLProvider) Type() string { return "AWS::Lambda::Url" }

// Stateful implements stacks.Provider.
func (*URLProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*URLProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"TargetFunctionArn": {Type: stacks.String, Required: true, CreateOnly: true},
		"Qualifier":         {Type: stacks.String, CreateOnly: true},
		"AuthType":          {Type: stacks.String, Required: true, Enum: []string{URLAuthNone, URLAuthIAM}},
		"Cors":              {Type: stacks.Object},
		"InvokeMode":        {Type: stacks.String, Enum: []string{URLInvokeBuffered, URLInvokeStreaming}},
		"FunctionUrl":       {Type: stacks.String, ReadOnly: true},
		"FunctionArn":       {Type: stacks.String, ReadOnly: true},
	}}
}

func urlPhysID(function, qualifier string) string {
	if qualifier != "" {
		return function + "#" + qualifier
	}
	return function
}

func (m *urlModel) config() FunctionURLConfig {
	c := FunctionURLConfig{Function: m.TargetFunctionArn, Qualifier: m.Qualifier, AuthType: m.AuthType, InvokeMode: m.InvokeMode}
	if cors := m.Cors; cors != nil {
		c.Cors = &URLCors{AllowCredentials: cors.AllowCredentials, AllowHeaders: cors.AllowHeaders, AllowMethods: cors.AllowMethods,
			AllowOrigins: cors.AllowOrigins, ExposeHeaders: cors.ExposeHeaders, MaxAge: cors.MaxAge}
	}
	return c
}

// attrs are the URL's attributes; function is the target as the template
// gives it.
func (p *URLProvider) attrs(function string, c FunctionURLConfig) stacks.Attrs {
	arn := function
	if !strings.HasPrefix(arn, "arn:") {
		arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", p.account.Region, p.account.ID, function)
	}
	if c.Qualifier != "" {
		arn += ":" + c.Qualifier
	}
	return stacks.Attrs{"FunctionUrl": c.Address, "FunctionArn": arn}
}

// Create implements stacks.Provider.
func (p *URLProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m urlModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	c, err := p.urls.PutURL(ctx, m.config())
	if err != nil {
		return "", nil, err
	}
	return urlPhysID(m.TargetFunctionArn, m.Qualifier), p.attrs(m.TargetFunctionArn, c), nil
}

// find returns the URL of physical id phys and the target function as the
// template gave it.
func (p *URLProvider) find(phys string) (FunctionURLConfig, string, error) {
	fn, q, _ := strings.Cut(phys, "#")
	name, _, err := ParseFunctionRef(fn)
	if err != nil {
		name = fn
	}
	c, ok := p.urls.GetURL(name, q)
	if !ok {
		return FunctionURLConfig{}, fn, fmt.Errorf("function url %s: %w", phys, stacks.ErrNotFound)
	}
	return c, fn, nil
}

// Update implements stacks.Provider: the target and qualifier are
// create-only, so the URL keeps them.
func (p *URLProvider) Update(ctx context.Context, phys string, _, props stacks.Props) (stacks.Attrs, error) {
	var m urlModel
	if err := stacks.Decode(props, &m); err != nil {
		return nil, err
	}
	cur, fn, err := p.find(phys)
	if err != nil {
		return nil, err
	}
	c := m.config()
	c.ID = cur.ID
	if c, err = p.urls.PutURL(ctx, c); err != nil {
		return nil, err
	}
	return p.attrs(fn, c), nil
}

// Delete implements stacks.Provider.
func (p *URLProvider) Delete(ctx context.Context, phys string) error {
	c, _, err := p.find(phys)
	if err != nil {
		return err
	}
	err = p.urls.DeleteURL(ctx, c.Function, c.Qualifier)
	if errors.Is(err, ErrURLNotFound) {
		return fmt.Errorf("%s %s: %w: %w", p.Type(), phys, stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider.
func (p *URLProvider) Read(ctx context.Context, phys string) (stacks.Props, error) {
	c, fn, err := p.find(phys)
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"TargetFunctionArn": fn, "AuthType": c.AuthType, "InvokeMode": c.InvokeMode}
	if c.Qualifier != "" {
		out["Qualifier"] = c.Qualifier
	}
	if cors := c.Cors; cors != nil {
		m := map[string]any{}
		put := func(k string, v []string) {
			if len(v) > 0 {
				l := make([]any, len(v))
				for i, s := range v {
					l[i] = s
				}
				m[k] = l
			}
		}
		put("AllowOrigins", cors.AllowOrigins)
		put("AllowMethods", cors.AllowMethods)
		put("AllowHeaders", cors.AllowHeaders)
		put("ExposeHeaders", cors.ExposeHeaders)
		if cors.MaxAge > 0 {
			m["MaxAge"] = float64(cors.MaxAge)
		}
		if cors.AllowCredentials {
			m["AllowCredentials"] = true
		}
		out["Cors"] = m
	}
	return out, nil
}
