package main

import (
	"context"
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func all() []benchmark {
	return []benchmark{
		{"cold", benchCold},
		{"warm", benchWarm},
		{"memory", benchMemory},
		{"gateway", benchGateway},
		{"queues", benchQueues},
		{"events", benchEvents},
		{"tables", benchTables},
	}
}

// echoEvent is the event every echo benchmark sends.
const echoEvent = `{"hello":"world"}`

// benchCold compares nubo's cold start (Invoke to response on a new
// instance) with the bare floor (fork+exec of the same binary against a
// minimal Runtime API loop) and with aws-lambda-rie (process start to first
// answer), interleaving them so load on the machine hits all alike.
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
	n, err := startNubo(ctx, env)
	if err != nil {
		return err
	}
	defer n.close()
	if err := n.deploy(ctx, env, "echo", "echo"); err != nil {
		return err
	}
	rieBin, rieWhy := env.rieBinary()
	cg := ""
	var st syscall.Statfs_t
	if err := syscall.Statfs("/sys/fs/cgroup", &st); err == nil && st.Type != 0x63677270 { // not cgroup2: nubo uses v1
		cg = memCgroupV1()
	}
	if cg != "" {
		defer removeGroup(cg)
	}
	client := httpClient(1)
	iters := env.iterations(100)
	var bare, bareCG, nb, rieS sample
	for i := 0; i < iters && ctx.Err() == nil; i++ {
		d, err := rt.coldOnce(bin)
		if err != nil {
			return err
		}
		bare = append(bare, d)
		if cg != "" {
			d, err := rt.coldOnceJoin(bin, fmt.Sprintf("%s/%d", cg, i))
			if err != nil {
				return err
			}
			bareCG = append(bareCG, d)
		}

		// A configuration change retires the warm instance: the next
		// invoke starts a new one. Outside the timed section.
		if _, err := n.lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
			FunctionName: aws.String("echo"),
			Environment:  &lambdatypes.Environment{Variables: map[string]string{"ITERATION": strconv.Itoa(i)}},
		}); err != nil {
			return fmt.Errorf("update echo: %w", err)
		}
		if err := n.waitRetired(ctx, "echo"); err != nil {
			return err
		}
		t := time.Now()
		if err := n.invoke(ctx, n.lc, "echo", []byte(echoEvent)); err != nil {
			return err
		}
		nb = append(nb, time.Since(t))

		if rieBin != "" {
			r, err := startRIE(rieBin, bin)
			if err != nil {
				return err
			}
			t := time.Now()
			err = firstAnswer(client, r.url, []byte(echoEvent), 10*time.Second)
			d := time.Since(t)
			r.close()
			if err != nil {
				return err
			}
			rieS = append(rieS, d)
		}
	}
	if cold, err := n.coldStarts("echo"); err != nil || cold < len(nb) {
		return fmt.Errorf("nubo: %d cold starts for %d timed invokes (%v)", cold, len(nb), err)
	}
	t := &table{title: "Cold start: first response from a new instance (Go echo, aws-lambda-go)", head: []string{"what", "p50", "p99", "p50 vs bare", "runs"}}
	t.add("bare: fork+exec + minimal Runtime API loop (floor)", ms(bare.pct(50)), ms(bare.pct(99)), "1.00x", fmt.Sprint(len(bare)))
	if cg != "" {
		t.add("bare + joining a cgroup v1 memory group (nubo's memory limit mode here)", ms(bareCG.pct(50)), ms(bareCG.pct(99)), ratio(float64(bareCG.pct(50)), float64(bare.pct(50))), fmt.Sprint(len(bareCG)))
	}
	t.add("nubo: Invoke (SDK) to response on a new instance", ms(nb.pct(50)), ms(nb.pct(99)), ratio(float64(nb.pct(50)), float64(bare.pct(50))), fmt.Sprint(len(nb)))
	if rieBin != "" {
		t.add("aws-lambda-rie: exec to first invoke answered", ms(rieS.pct(50)), ms(rieS.pct(99)), ratio(float64(rieS.pct(50)), float64(bare.pct(50))), fmt.Sprint(len(rieS)))
	}
	t.print(env.out)
	if rieBin == "" {
		fmt.Fprintln(env.out, "\naws-lambda-rie skipped:", rieWhy)
	} else {
		fmt.Fprintf(env.out, "\nnubo p50 / aws-lambda-rie p50: %s\n", ratio(float64(nb.pct(50)), float64(rieS.pct(50))))
	}
	if cg != "" {
		fmt.Fprintf(env.out, "nubo p50 / (bare + cgroup v1 join) p50: %s\n", ratio(float64(nb.pct(50)), float64(bareCG.pct(50))))
	}
	return nil
}
