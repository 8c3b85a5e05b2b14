package functions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// RefInvokeConfig is one event invoke config of a function, with the
// reference it belongs to: NAME ($LATEST) or NAME:QUALIFIER.
type RefInvokeConfig struct {
	Ref    string
	Config *EventInvokeConfig
}

// EventInvokeConfigs lists the event invoke configs of a function's
// $LATEST, versions and aliases, ordered by reference.
func (s *Service) EventInvokeConfigs(ctx context.Context, name string) ([]RefInvokeConfig, error) {
	if _, err := s.checkRef(ctx, name); err != nil {
		return nil, err
	}
	return s.reg.invokeConfigs(ctx, name)
}

// invokeConfigs reads the configs stored under NAME and NAME.QUALIFIER
// (eicKey); function names hold no dots, so the key names its qualifier.
func (r *registry) invokeConfigs(ctx context.Context, name string) ([]RefInvokeConfig, error) {
	l, err := r.eic.ListKeysFiltered(ctx, name, name+".*")
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("function %q: list invoke configs: %w", name, err)
	}
	var keys []string
	for k := range l.Keys() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []RefInvokeConfig
	for _, k := range keys {
		ref := name
		if q, ok := strings.CutPrefix(k, name+"."); ok {
			ref = name + ":" + q
		}
		c, err := r.invokeConfig(ctx, ref)
		if errors.Is(err, errNoInvokeConfig) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, err
		}
		out = append(out, RefInvokeConfig{Ref: ref, Config: c})
	}
	return out, nil
}
