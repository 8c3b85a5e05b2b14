package runtimes

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// javaBootstrapClass is the Java bootstrap's main class (java/NuboBootstrap.java).
const javaBootstrapClass = "NuboBootstrap"

// jvmDirs are the directories whose subdirectories are JVM homes
// (Debian's and Ubuntu's, Fedora's, Arch's). Tests replace it.
var jvmDirs = []string{"/usr/lib/jvm"}

// compileTimeout bounds one javac run.
const compileTimeout = 3 * time.Minute

// javaCandidates lists where a JVM may be: JAVA_HOME, java on PATH, every
// home in /usr/lib/jvm, SDKMAN!, asdf and mise (resolve picks by version).
// Symbolic links to one JVM (update-alternatives, java-1.17.0-openjdk ->
// java-17-openjdk) are listed once, so each JVM runs once to be probed.
func javaCandidates() []candidate {
	var raw []candidate
	if h := os.Getenv("JAVA_HOME"); h != "" {
		raw = append(raw, candidate{filepath.Join(h, "bin", "java"), "JAVA_HOME"})
	}
	if p, err := exec.LookPath("java"); err == nil {
		raw = append(raw, candidate{p, "PATH"})
	} else {
		raw = append(raw, candidate{"java", "PATH"}) // probing it says it is missing
	}
	for _, d := range jvmDirs {
		homes, _ := filepath.Glob(filepath.Join(d, "*", "bin", "java"))
		for _, h := range homes {
			raw = append(raw, candidate{h, d})
		}
	}
	for _, m := range managedInstalls("java") {
		raw = append(raw, candidate{filepath.Join(m.dir, "bin", "java"), m.where})
	}
	var cands []candidate
	seen := map[string]bool{}
	for _, c := range raw {
		key := c.name
		if real, err := filepath.EvalSymlinks(c.name); err == nil {
			key = real
		}
		if !seen[key] {
			seen[key] = true
			cands = append(cands, c)
		}
	}
	return cands
}

// javaProbes remembers what each JVM reported, by its real path and
// modification time: the five Java runtimes probe the same JVMs.
var javaProbes sync.Map // string => javaProbeResult

type javaProbeResult struct{ path, version string }

// javaProbe runs `java -XshowSettings:properties -version` and reads
// java.version and java.home from it: the JVM's own executable is
// java.home/bin/java.
func javaProbe(name string) (string, string, error) {
	path := name
	if !filepath.IsAbs(name) {
		p, err := exec.LookPath(name)
		if err != nil {
			return "", "", fmt.Errorf("%s: not found on PATH", name)
		}
		path = p
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", "", fmt.Errorf("%s: not found", name)
	}
	key := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		key = real
	}
	key += "@" + st.ModTime().String()
	if r, ok := javaProbes.Load(key); ok {
		res := r.(javaProbeResult)
		return res.path, res.version, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "-XshowSettings:properties", "-version").CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("%s: does not run: %w", path, err)
	}
	props := javaProperties(out)
	version := props["java.version"]
	if version == "" {
		return "", "", fmt.Errorf("%s: reports no java.version", path)
	}
	if home := props["java.home"]; filepath.IsAbs(home) {
		if exe := filepath.Join(home, "bin", "java"); fileExists(exe) {
			path = exe
		}
	}
	javaProbes.Store(key, javaProbeResult{path, version})
	return path, version, nil
}

// javaProperties reads the "    key = value" lines of -XshowSettings:properties.
func javaProperties(out []byte) map[string]string {
	props := map[string]string{}
	for line := range strings.SplitSeq(string(out), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " = ")
		if ok && !strings.ContainsAny(k, " \t") {
			if _, dup := props[k]; !dup { // multi-valued properties continue on indented lines
				props[k] = strings.TrimSpace(v)
			}
		}
	}
	return props
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// javaLauncher is the /bin/sh script that starts the JVM ($0) with the
// options Lambda's Java runtimes start with, sized from the function's
// memory, which the instance's environment carries (Command does not know
// it): the JVM is told it has MemorySize (-XX:MaxRAM, so it also starts
// under nubo's RLIMIT_DATA fallback, where defaults sized from the machine's
// memory would not) and takes 85% of it for the heap; the serial collector;
// class data sharing; and, when $1 is 1 (Java 17 and later), tiered
// compilation stopped at C1. An option JAVA_TOOL_OPTIONS sets in the
// function's environment replaces the default for the same setting (the
// JVM reads JAVA_TOOL_OPTIONS before the command line, where a default would
// win otherwise, or conflict: two collectors).
const javaLauncher = `t=" $JAVA_TOOL_OPTIONS "
m=${AWS_LAMBDA_FUNCTION_MEMORY_SIZE:-128}
case $m in ''|*[!0-9]*) m=128 ;; esac
c1=$1
shift
f=-Xshare:auto
case $t in *MaxRAM=*|*-Xmx*|*MaxHeapSize*) ;; *) f="$f -XX:MaxRAM=${m}m" ;; esac
case $t in *RAMPercentage=*|*-Xmx*|*MaxHeapSize*) ;; *) f="$f -XX:MaxRAMPercentage=85 -XX:MinRAMPercentage=85" ;; esac
case $t in *-XX:+Use*GC*) ;; *) f="$f -XX:+UseSerialGC" ;; esac
case $t in *Tiered*) ;; *) [ "$c1" = 1 ] && f="$f -XX:+TieredCompilation -XX:TieredStopAtLevel=1" ;; esac
case $t in *-Dfile.encoding=*) ;; *) f="$f -Dfile.encoding=UTF-8" ;; esac
exec "$0" $f "$@"`

// javaCommand is the argv of a Java instance: the launcher, the JVM, its
// flags and the bootstrap (compiled classes, or its source file).
func (s *Set) javaCommand(runtime, handler string) ([]string, error) {
	if _, _, err := JavaHandler(handler); err != nil {
		return nil, fmt.Errorf("runtime %s: %w", runtime, err)
	}
	r, err := s.Resolve(runtime)
	if err != nil {
		return nil, err
	}
	if !r.Exact && s.strict {
		return nil, fmt.Errorf("runtime %s: --strict-runtimes: %s", runtime, r.Note())
	}
	major, _ := versionNumber(KindJava, r.Version)
	boot, err := s.javaBootstrap(r.Path, major)
	if err != nil {
		return nil, fmt.Errorf("runtime %s: %w", runtime, err)
	}
	c1 := "0"
	if major >= 17 {
		c1 = "1"
	}
	argv := append([]string{"/bin/sh", "-c", javaLauncher, r.Path, c1}, boot...)
	if !r.Exact {
		argv = append(argv, "--nubo-init=INIT_START Runtime Version: "+runtime+" (nubo: "+r.Note()+")")
	}
	return argv, nil
}

// javaBootstrap is how the JVM at java (feature release major) runs the
// bootstrap: ["-cp", dir, "NuboBootstrap"] with its classes compiled once
// per machine into nubo's cache (keyed by the source's hash and major), or
// [source file] for the single-file source launcher (Java 11 or later)
// when no javac can compile it.
func (s *Set) javaBootstrap(java string, major int) ([]string, error) {
	s.javaMu.Lock()
	defer s.javaMu.Unlock()
	if b, ok := s.javaBoot[major]; ok {
		return b, nil
	}
	src, err := shims.ReadFile(javaShim)
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", javaShim, err)
	}
	sum := sha256.Sum256(src)
	var boot []string
	dir, cerr := compileJavaBootstrap(src, hex.EncodeToString(sum[:8]), java, major)
	switch {
	case cerr == nil:
		boot = []string{"-cp", dir, javaBootstrapClass}
	case major >= 11:
		boot = []string{filepath.Join(s.dir, filepath.FromSlash(javaShim))}
	default:
		return nil, fmt.Errorf("nubo's Java bootstrap needs a javac for Java %d (the source launcher needs Java 11 or later): %w", major, cerr)
	}
	s.javaBoot[major] = boot
	return boot, nil
}

// compileJavaBootstrap compiles the bootstrap source into
// CacheDir()/java-bootstrap/<hash>-java<major>, unless it is there already,
// with the JVM's own javac, else javac from PATH or JAVA_HOME for
// --release major.
func compileJavaBootstrap(src []byte, hash, java string, major int) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	root := filepath.Join(cache, "java-bootstrap")
	dir := filepath.Join(root, fmt.Sprintf("%s-java%d", hash, major))
	if fileExists(filepath.Join(dir, javaBootstrapClass+".class")) {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(root, ".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	srcPath := filepath.Join(tmp, javaBootstrapClass+".java")
	if err := os.WriteFile(srcPath, src, 0o644); err != nil {
		return "", err
	}
	var errs []error
	for _, jc := range findJavac(java) {
		args := []string{"-nowarn", "-encoding", "UTF-8", "-d", filepath.Join(tmp, "classes")}
		if jc.release {
			args = append(args, "--release", strconv.Itoa(major))
		}
		ctx, cancel := context.WithTimeout(context.Background(), compileTimeout)
		out, err := exec.CommandContext(ctx, jc.path, append(args, srcPath)...).CombinedOutput()
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: %s", jc.path, err, bytes.TrimSpace(out)))
			continue
		}
		if err := os.Rename(filepath.Join(tmp, "classes"), dir); err != nil && !fileExists(filepath.Join(dir, javaBootstrapClass+".class")) {
			return "", fmt.Errorf("java bootstrap: %w", err)
		}
		return dir, nil // renamed, or another process got there first
	}
	if len(errs) == 0 {
		return "", errors.New("no javac found (install a JDK, not only a JRE)")
	}
	return "", errors.Join(errs...)
}

// findJavac lists the compilers to try for a JVM (tests replace it).
var findJavac = javacCandidates

type javac struct {
	path    string
	release bool // not the target JVM's own: compile with --release
}

// javacCandidates lists the javac beside the JVM, then javac in JAVA_HOME
// and on PATH.
func javacCandidates(java string) []javac {
	var out []javac
	seen := map[string]bool{}
	add := func(p string, release bool) {
		if !fileExists(p) {
			return
		}
		key := p
		if real, err := filepath.EvalSymlinks(p); err == nil {
			key = real
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, javac{p, release})
		}
	}
	add(filepath.Join(filepath.Dir(java), "javac"), false)
	if h := os.Getenv("JAVA_HOME"); h != "" {
		add(filepath.Join(h, "bin", "javac"), true)
	}
	if p, err := exec.LookPath("javac"); err == nil {
		add(p, true)
	}
	return out
}
