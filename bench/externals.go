package main

import (
	"context"

	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// What users run instead of nubo, measured in the same run when it can be
// installed: AWS's Runtime Interface Emulator (what SAM CLI runs in its
// containers; a Go program, fetched through the Go module proxy) and
// serverless-offline (npm). Both are installed once into a cache directory
// outside the repository; --quick only uses them when already there.

const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest"

func cacheDir(name string) string { return filepath.Join(os.TempDir(), "nubo-bench-cache", name) }

// rieBinary finds aws-lambda-rie ($NUBO_BENCH_RIE, PATH, the cache) or
// installs it into the cache; "" and a reason when it cannot.
func (e *benchEnv) rieBinary() (string, string) {
	if e.rie != "" || e.rieWhy != "" {
		return e.rie, e.rieWhy
	}
	e.rie, e.rieWhy = findRIE(e.quick)
	return e.rie, e.rieWhy
}

func findRIE(quick bool) (string, string) {
	if p := os.Getenv("NUBO_BENCH_RIE"); p != "" {
		return p, ""
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, ""
	}
	dir := cacheDir("rie")
	bin := filepath.Join(dir, "aws-lambda-rie")
	if _, err := os.Stat(bin); err == nil {
		return bin, ""
	}
	if quick {
		return "", "aws-lambda-rie is not installed (--quick does not install it)"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", rieModule)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Sprintf("go install %s: %v: %s", rieModule, err, lastLine(out))
	}
	return bin, ""
}

// rie is one aws-lambda-rie process running a bootstrap.
type rie struct {
	cmd *exec.Cmd
	url string
}

// startRIE starts aws-lambda-rie on bin; the emulator listens on a free
// loopback port and starts the runtime on the first invoke.
func startRIE(rieBin, bin string) (*rie, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	apiPort, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + port
	cmd := exec.Command(rieBin, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+apiPort, "--log-level", "error", bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_FUNCTION_TIMEOUT=30", "_HANDLER=bootstrap")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start aws-lambda-rie: %w", err)
	}
	return &rie{cmd: cmd, url: "http://" + addr + "/2015-03-31/functions/function/invocations"}, nil
}

func (r *rie) close() {
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	_ = r.cmd.Wait()
}

// firstAnswer posts payload until the emulator answers 200 (it is not
// listening for the first few milliseconds).
func firstAnswer(client *http.Client, url string, payload []byte, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	call := httpEcho(client, url, payload)
	for {
		err := call()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: no answer after %s: %w", url, limit, err)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// serverless-offline: serverless v3 (v4 needs an account) with
// serverless-offline 13, installed with npm into the cache.

const slsPackages = "serverless@3 serverless-offline@13"

func (e *benchEnv) slsDir() (string, string) {
	if e.sls != "" || e.slsWhy != "" {
		return e.sls, e.slsWhy
	}
	if e.smoke {
		return "", "the smoke run leaves serverless-offline out (it takes seconds to start)"
	}
	e.sls, e.slsWhy = findSLS(e.quick)
	return e.sls, e.slsWhy
}

func findSLS(quick bool) (string, string) {
	dir := cacheDir("sls")
	bin := filepath.Join(dir, "node_modules", ".bin", "serverless")
	if _, err := os.Stat(bin); err == nil {
		return dir, ""
	}
	if quick {
		return "", "serverless-offline is not installed (--quick does not install it)"
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", "npm is not installed"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err.Error()
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"nubo-bench-sls","version":"1.0.0","private":true}`), 0o644); err != nil {
		return "", err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", append([]string{"install", "--no-audit", "--no-fund"}, strings.Fields(slsPackages)...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Sprintf("npm install %s: %v: %s", slsPackages, err, lastLine(out))
	}
	return dir, ""
}

const slsYAML = `service: bench
frameworkVersion: "3"
provider:
  name: aws
  runtime: nodejs20.x
  region: us-east-1
plugins:
  - serverless-offline
functions:
  echo:
    handler: handler.echo
    events:
      - httpApi:
          method: POST
          path: /echo
custom:
  serverless-offline:
    noPrependStageInUrl: true
`

// The Node twin of bench/fn/echo behind an HttpApi route: it answers the
// request body.
const slsHandler = `exports.echo = async (event) => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: event.body });
`

// slsOffline is a running `serverless offline`.
type slsOffline struct {
	cmd *exec.Cmd
	url string
}

func startSLS(dir, work string) (*slsOffline, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	lport, err := freePort()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "serverless.yml"), []byte(slsYAML), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "handler.js"), []byte(slsHandler), 0o644); err != nil {
		return nil, err
	}
	if err := os.Symlink(filepath.Join(dir, "node_modules"), filepath.Join(work, "node_modules")); err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(dir, "node_modules", ".bin", "serverless"), "offline", "start",
		"--host", "127.0.0.1", "--httpPort", port, "--lambdaPort", lport, "--noTimeout")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &slsOffline{cmd: cmd, url: "http://127.0.0.1:" + port + "/echo"}
	if err := firstAnswer(httpClient(1), s.url, []byte(`{"hello":"world"}`), 60*time.Second); err != nil {
		s.close()
		return nil, fmt.Errorf("serverless offline: %w", err)
	}
	return s, nil
}

// rssMB is the resident memory of the process group's processes, in MB.
func (s *slsOffline) rssMB() float64 {
	return groupRSS(s.cmd.Process.Pid)
}

func (s *slsOffline) close() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
}

// groupRSS sums VmRSS of the processes in process group pgid, in MB.
func groupRSS(pgid int) float64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var kb int64
	for _, e := range ents {
		pid := 0
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil || pid <= 0 {
			continue
		}
		if g, err := syscall.Getpgid(pid); err != nil || g != pgid {
			continue
		}
		kb += statusKB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
	}
	return float64(kb) / 1024
}

// statusKB reads one "Field:   N kB" line of a /proc status file.
func statusKB(path, field string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			var n int64
			_, _ = fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &n)
			return n
		}
	}
	return 0
}
