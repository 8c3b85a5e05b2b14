package main

import (
	"context"
	"fmt"
	"os"
)

func all() []benchmark {
	return []benchmark{
		{"cold", benchCold},
	}
}

func benchCold(ctx context.Context, env *benchEnv) error {
	bin, err := env.bin("echo")
	if err != nil {
		return err
	}
	rt, err := newBareRuntime()
	if err != nil {
		return err
	}
	defer rt.close()
	n := env.iterations(100)
	var bare sample
	for i := 0; i < n; i++ {
		d, err := rt.coldOnce(bin)
		if err != nil {
			return err
		}
		bare = append(bare, d)
	}
	t := &table{title: "Cold start: exec to first response (Go echo, aws-lambda-go)", head: []string{"what", "p50", "p99", "runs"}}
	t.add("bare fork+exec + minimal Runtime API loop", ms(bare.pct(50)), ms(bare.pct(99)), fmt.Sprint(n))
	t.print(os.Stdout)
	return nil
}
