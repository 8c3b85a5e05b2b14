package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// Custom domains: AWS::ApiGatewayV2::DomainName and AWS::ApiGateway::DomainName
// (one provider type each, same behaviour), AWS::ApiGatewayV2::ApiMapping
// (resource_v2.go) and AWS::ApiGateway::BasePathMapping. A domain answers
// requests whose Host is its name (any port) on the --http-addr listener;
// certificates and endpoint types are accepted and ignored: nubo serves
// plain HTTP.

type domainProvider struct {
	s   *StackResources
	typ string
}

func (p *domainProvider) Type() string { return p.typ }
func (*domainProvider) Stateful() bool { return false }
func (p *domainProvider) v2() bool     { return strings.Contains(p.typ, "V2") }
func (p *domainProvider) Schema() stacks.Schema {
	if p.v2() {
		return stacks.Schema{Properties: map[string]stacks.Property{
			"DomainName":               {Type: stacks.String, Required: true, CreateOnly: true},
			"DomainNameConfigurations": {Type: stacks.List},
			"MutualTlsAuthentication":  {Type: stacks.Object},
			"RoutingMode":              text(),
			"Tags":                     {Type: stacks.Map},
			"RegionalDomainName":       {Type: stacks.String, ReadOnly: true},
			"RegionalHostedZoneId":     {Type: stacks.String, ReadOnly: true},
			"DomainNameArn":            {Type: stacks.String, ReadOnly: true},
		}}
	}
	return stacks.Schema{Properties: map[string]stacks.Property{
		"DomainName":                          {Type: stacks.String, CreateOnly: true},
		"CertificateArn":                      text(),
		"RegionalCertificateArn":              text(),
		"EndpointConfiguration":               {Type: stacks.Object},
		"EndpointAccessMode":                  text(),
		"MutualTlsAuthentication":             {Type: stacks.Object},
		"OwnershipVerificationCertificateArn": text(),
		"RoutingMode":                         text(),
		"SecurityPolicy":                      text(),
		"Tags":                                {Type: stacks.List},
		"DistributionDomainName":              {Type: stacks.String, ReadOnly: true},
		"DistributionHostedZoneId":            {Type: stacks.String, ReadOnly: true},
		"RegionalDomainName":                  {Type: stacks.String, ReadOnly: true},
		"RegionalHostedZoneId":                {Type: stacks.String, ReadOnly: true},
		"DomainNameArn":                       {Type: stacks.String, ReadOnly: true},
	}}
}

// PhysicalIDFor implements stacks.Identifier: a domain's id is its name.
func (p *domainProvider) PhysicalIDFor(_ context.Context, props stacks.Props) (string, bool) {
	n, err := domainName(props)
	return n, err == nil && n != ""
}

// domainName is a domain resource's DomainName, in lower case: what nubo
// applies of its properties (the rest is recorded for Read).
func domainName(props stacks.Props) (string, error) {
	var m struct{ DomainName string }
	err := stacks.Decode(props, &m)
	return strings.ToLower(m.DomainName), err
}

// hostedZone stands in for Route 53's zone id of API Gateway endpoints.
const hostedZone = "NUBOLOCAL"

func (p *domainProvider) attrs(name string) stacks.Attrs {
	a := stacks.Attrs{
		"RegionalDomainName": name, "RegionalHostedZoneId": hostedZone,
		"DomainNameArn": fmt.Sprintf("arn:aws:apigateway:%s::/domainnames/%s", p.s.g.opts.Account.Region, name),
	}
	if !p.v2() {
		a["DistributionDomainName"], a["DistributionHostedZoneId"] = name, hostedZone
	}
	return a
}

func (p *domainProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	name, err := domainName(props)
	if err != nil {
		return "", nil, err
	}
	if name == "" {
		return "", nil, &stacks.PropertyError{Property: "DomainName", Msg: "required"}
	}
	if _, ok := p.s.g.GetDomain(name); ok {
		return "", nil, &stacks.PropertyError{Property: "DomainName", Msg: fmt.Sprintf("%q already exists", name)}
	}
	if _, err := p.s.g.PutDomain(ctx, Domain{Name: name}); err != nil {
		return "", nil, &stacks.PropertyError{Property: "DomainName", Msg: err.Error()}
	}
	if err := p.s.putDeclared(ctx, p.typ, name, props); err != nil {
		return "", nil, err
	}
	return name, p.attrs(name), nil
}

// Update records the properties: nothing nubo serves depends on those that
// may change in place (certificates, endpoint types).
func (p *domainProvider) Update(ctx context.Context, name string, _, props stacks.Props) (stacks.Attrs, error) {
	return p.attrs(name), p.s.putDeclared(ctx, p.typ, name, props)
}

func (p *domainProvider) Delete(ctx context.Context, name string) error {
	p.s.dropDeclared(ctx, p.typ, name)
	return notFound(p.typ, name, p.s.g.DeleteDomain(ctx, name))
}

func (p *domainProvider) Read(ctx context.Context, name string) (stacks.Props, error) {
	if _, ok := p.s.g.GetDomain(name); !ok {
		return nil, fmt.Errorf("%s %s: %w", p.typ, name, stacks.ErrNotFound)
	}
	if props := p.s.declared(ctx, p.typ, name); props != nil {
		return props, nil
	}
	return stacks.Props{"DomainName": name}, nil
}

// putMapping adds or replaces mapping m of domain (by m.ID).
func (s *StackResources) putMapping(ctx context.Context, typ, domain string, m Mapping, props stacks.Props) error {
	domain = strings.ToLower(domain)
	if err := s.setOwner(ctx, typ, m.ID, domain); err != nil {
		return err
	}
	_, err := s.g.UpdateDomain(ctx, domain, func(d *Domain) error {
		out := d.Mappings[:0]
		for _, x := range d.Mappings {
			if x.ID != m.ID {
				out = append(out, x)
			}
		}
		d.Mappings = append(out, m)
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return &stacks.PropertyError{Property: "DomainName", Msg: fmt.Sprintf("no domain %q", domain)}
	}
	return err
}

func (s *StackResources) deleteMapping(ctx context.Context, typ, id string) error {
	domain, err := s.owner(ctx, typ, id)
	if err != nil {
		return err
	}
	found := false
	_, err = s.g.UpdateDomain(ctx, domain, func(d *Domain) error {
		out := d.Mappings[:0]
		for _, x := range d.Mappings {
			if x.ID == id {
				found = true
				continue
			}
			out = append(out, x)
		}
		d.Mappings = out
		return nil
	})
	s.dropOwner(ctx, typ, id)
	if errors.Is(err, ErrNotFound) || err == nil && !found {
		return fmt.Errorf("%s %s: %w", typ, id, stacks.ErrNotFound)
	}
	return err
}

func (s *StackResources) readMapping(ctx context.Context, typ, id string, props func(Domain, Mapping) stacks.Props) (stacks.Props, error) {
	domain, err := s.owner(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	if d, ok := s.g.GetDomain(domain); ok {
		for _, m := range d.Mappings {
			if m.ID == id {
				return props(d, m), nil
			}
		}
	}
	return nil, fmt.Errorf("%s %s: %w", typ, id, stacks.ErrNotFound)
}

// ---- BasePathMapping ----

type basePathMappingProvider struct{ s *StackResources }

func (*basePathMappingProvider) Type() string   { return "AWS::ApiGateway::BasePathMapping" }
func (*basePathMappingProvider) Stateful() bool { return false }
func (*basePathMappingProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"DomainName": {Type: stacks.String, Required: true, CreateOnly: true},
		"BasePath":   {Type: stacks.String, CreateOnly: true},
		"RestApiId":  text(),
		"Stage":      text(),
	}}
}

// basePathMappingModel is AWS::ApiGateway::BasePathMapping's properties.
type basePathMappingModel struct {
	DomainName string
	BasePath   string
	RestApiId  string
	Stage      string
}

func (p *basePathMappingProvider) mapping(id string, props stacks.Props) (Mapping, string, error) {
	var pm basePathMappingModel
	if err := stacks.Decode(props, &pm); err != nil {
		return Mapping{}, "", err
	}
	m, err := p.resolve(Mapping{ID: id, BasePath: pm.BasePath, APIID: pm.RestApiId, Stage: pm.Stage})
	return m, pm.DomainName, err
}

// resolve checks a mapping names its API and completes its stage.
func (p *basePathMappingProvider) resolve(m Mapping) (Mapping, error) {
	if m.APIID == "" {
		return m, &stacks.PropertyError{Property: "RestApiId", Msg: "required by nubo"}
	}
	if m.Stage == "" {
		a, ok := p.s.g.Get(m.APIID)
		if !ok || len(a.Stages) != 1 {
			return m, &stacks.PropertyError{Property: "Stage", Msg: "required unless the API has exactly one stage"}
		}
		m.Stage = a.Stages[0].Name
	}
	return m, nil
}

func (p *basePathMappingProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	m, domain, err := p.mapping(NewID(), props)
	if err != nil {
		return "", nil, err
	}
	if err := p.s.putMapping(ctx, p.Type(), domain, m, props); err != nil {
		return "", nil, err
	}
	return m.ID, stacks.Attrs{}, nil
}

func (p *basePathMappingProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	m, domain, err := p.mapping(id, props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{}, p.s.putMapping(ctx, p.Type(), domain, m, props)
}

func (p *basePathMappingProvider) Delete(ctx context.Context, id string) error {
	return p.s.deleteMapping(ctx, p.Type(), id)
}

func (p *basePathMappingProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readMapping(ctx, p.Type(), id, func(d Domain, m Mapping) stacks.Props {
		out := stacks.Props{"DomainName": d.Name, "RestApiId": m.APIID, "Stage": m.Stage}
		if m.BasePath != "" {
			out["BasePath"] = m.BasePath
		}
		return out
	})
}
