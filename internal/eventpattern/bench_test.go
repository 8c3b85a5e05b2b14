package eventpattern

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSet10k matches random envelopes against 10,000 rules of the
// shape bench/events.go uses (go run ./bench events has the figures).
func BenchmarkSet10k(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var pats []Pattern
	for i := range 10000 {
		f := fmt.Sprintf(`"status":["s%d"]`, i%100)
		if i%3 == 1 {
			f = fmt.Sprintf(`"price":[{"numeric":[">",%d,"<=",1000]}]`, i%100)
		}
		p := fmt.Sprintf(`{"source":["app.svc%d"],"detail-type":["Type%d"],"detail":{%s}}`, i%50, i%20, f)
		if i%10 == 9 {
			p = fmt.Sprintf(`{"source":[{"prefix":"app.svc%d"}],"$or":[{"detail":{%s}},{"detail-type":[{"prefix":"Type%d"}]}]}`, i%50, f, i%20)
		}
		pats = append(pats, Pattern{ID: fmt.Sprint(i), JSON: p})
	}
	set, err := Compile(pats)
	if err != nil {
		b.Fatal(err)
	}
	var evs []Event
	for i := range 1000 {
		ev, _ := ParseEvent(fmt.Appendf(nil, `{"id":"%d","detail-type":"Type%d","source":"app.svc%d","detail":{"status":"s%d","price":%d}}`,
			i, r.IntN(20), r.IntN(50), r.IntN(100), r.IntN(1200)))
		evs = append(evs, ev)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		set.MatchEvent(evs[i%len(evs)])
	}
}
