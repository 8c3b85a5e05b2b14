package platform

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/gateway"
)

// functionURLs backs the Lambda API's function URL operations
// (functions.URLStore) with the gateway's function URLs, the ones
// AWS::Lambda::Url creates: a URL made by either is seen by both. The
// gateway keeps the function as its stack named it (a name or an ARN);
// lookups compare the function names they resolve to.
type functionURLs struct {
	g *gateway.Gateway
	// addr is the --http-addr listener's address (known once it listens).
	addr func() string
}

var _ functions.URLStore = functionURLs{}

// find returns the gateway's URL of function (a name) and qualifier.
func (f functionURLs) find(function, qualifier string) (gateway.FunctionURL, bool) {
	for _, u := range f.g.FunctionURLs() {
		if u.Qualifier == qualifier && urlFunction(u) == function {
			return u, true
		}
	}
	return gateway.FunctionURL{}, false
}

func urlFunction(u gateway.FunctionURL) string {
	name, _, err := functions.ParseFunctionRef(u.Function)
	if err != nil {
		return u.Function
	}
	return name
}

func (f functionURLs) config(u gateway.FunctionURL) functions.FunctionURLConfig {
	c := functions.FunctionURLConfig{ID: u.ID, Function: urlFunction(u), Qualifier: u.Qualifier,
		Address: gateway.FunctionURLAddress(f.addr(), u.ID), AuthType: u.AuthType, InvokeMode: u.InvokeMode,
		CreationTime: u.CreationTime, LastModified: u.LastModified}
	if cors := u.CORS; cors != nil {
		c.Cors = &functions.URLCors{AllowCredentials: cors.AllowCredentials, AllowHeaders: slices.Clone(cors.AllowHeaders),
			AllowMethods: slices.Clone(cors.AllowMethods), AllowOrigins: slices.Clone(cors.AllowOrigins),
			ExposeHeaders: slices.Clone(cors.ExposeHeaders), MaxAge: cors.MaxAge}
	}
	return c
}

func (f functionURLs) GetURL(function, qualifier string) (functions.FunctionURLConfig, bool) {
	u, ok := f.find(function, qualifier)
	if !ok {
		return functions.FunctionURLConfig{}, false
	}
	return f.config(u), true
}

// ListURLs answers the function's URLs by qualifier ("" first).
func (f functionURLs) ListURLs(function string) []functions.FunctionURLConfig {
	var out []functions.FunctionURLConfig
	for _, u := range f.g.FunctionURLs() {
		if urlFunction(u) == function {
			out = append(out, f.config(u))
		}
	}
	slices.SortFunc(out, func(a, b functions.FunctionURLConfig) int { return strings.Compare(a.Qualifier, b.Qualifier) })
	return out
}

// PutURL creates a URL (empty ID) or changes the one with c.ID, keeping
// what the API does not show (the function as the stack named it, the
// timeout, the creation time).
func (f functionURLs) PutURL(ctx context.Context, c functions.FunctionURLConfig) (functions.FunctionURLConfig, error) {
	u := gateway.FunctionURL{Function: c.Function, Qualifier: c.Qualifier}
	if c.ID != "" {
		i := slices.IndexFunc(f.g.FunctionURLs(), func(u gateway.FunctionURL) bool { return u.ID == c.ID })
		if i < 0 {
			return functions.FunctionURLConfig{}, functions.ErrURLNotFound
		}
		u = f.g.FunctionURLs()[i]
	}
	u.AuthType, u.InvokeMode, u.CORS = c.AuthType, c.InvokeMode, nil
	if cors := c.Cors; cors != nil {
		u.CORS = &gateway.CORS{AllowCredentials: cors.AllowCredentials, AllowHeaders: slices.Clone(cors.AllowHeaders),
			AllowMethods: slices.Clone(cors.AllowMethods), AllowOrigins: slices.Clone(cors.AllowOrigins),
			ExposeHeaders: slices.Clone(cors.ExposeHeaders), MaxAge: cors.MaxAge}
	}
	out, err := f.g.PutFunctionURL(ctx, u)
	if errors.Is(err, gateway.ErrInvalid) {
		return functions.FunctionURLConfig{}, &functions.InvalidParameterError{Message: err.Error()}
	}
	if err != nil {
		return functions.FunctionURLConfig{}, err
	}
	return f.config(out), nil
}

func (f functionURLs) DeleteURL(ctx context.Context, function, qualifier string) error {
	u, ok := f.find(function, qualifier)
	if !ok {
		return functions.ErrURLNotFound
	}
	err := f.g.DeleteFunctionURL(ctx, u.ID)
	if errors.Is(err, gateway.ErrNotFound) {
		return errors.Join(functions.ErrURLNotFound, err)
	}
	return err
}
