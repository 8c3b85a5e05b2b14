package gateway

import (
	"context"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestProvidersNameTheirCreateBeforehand: the providers whose ids are drawn
// at create time say beforehand which id a create will produce (the engine
// fixes the random part in ctx and records the id), so a create cut short by
// a crash is adopted on recovery rather than left behind.
func TestProvidersNameTheirCreateBeforehand(t *testing.T) {
	e := newResEnv(t)
	cases := []struct {
		typ   string
		props stacks.Props
	}{
		{"AWS::ApiGatewayV2::Api", stacks.Props{"Name": "a", "ProtocolType": "HTTP"}},
		{"AWS::ApiGateway::RestApi", stacks.Props{"Name": "r"}},
	}
	for i, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			p := e.byType[c.typ]
			idf, ok := p.(stacks.Identifier)
			if !ok {
				t.Fatalf("%s does not implement stacks.Identifier", c.typ)
			}
			ctx := stacks.WithNameSuffix(stacks.WithResource(context.Background(), "app", "Res"), "AB12CD34EF5"+string(rune('A'+i)))
			want, ok := idf.PhysicalIDFor(ctx, c.props)
			if !ok || want == "" {
				t.Fatalf("no id beforehand")
			}
			got, _, err := p.Create(ctx, c.props)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("created %q, announced %q", got, want)
			}
			if _, err := p.Read(ctx, want); err != nil {
				t.Fatalf("read the announced id: %v", err)
			}
			if err := p.Delete(ctx, want); err != nil {
				t.Fatal(err)
			}
		})
	}
}
