package platform

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// BenchmarkRegionContext builds and starts one more region's context per
// iteration (what the first request for a region pays) and reports the
// heap it keeps (decision 007's figures).
func BenchmarkRegionContext(b *testing.B) {
	p, err := New(Options{DataDir: b.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	var regions []string
	for _, r := range awsapi.Regions {
		if r != p.opts.Region {
			regions = append(regions, r)
		}
	}
	if b.N > len(regions) {
		b.Skipf("%d regions only", len(regions))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.ctxs.region(regions[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heap-bytes/region")
	b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/float64(b.N), "goroutines/region")
}
