package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// fileStamp is what the watcher compares: a file changed when either differs.
type fileStamp struct {
	mod  time.Time
	size int64
}

// snapshot stamps every file under dir, skipping state and VCS directories.
func snapshot(dir string) (map[string]fileStamp, error) {
	out := map[string]fileStamp{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed while walking
		}
		out[path] = fileStamp{info.ModTime(), info.Size()}
		return nil
	})
	return out, err
}

func changedFiles(old, new map[string]fileStamp) []string {
	var ch []string
	for p, s := range new {
		if o, ok := old[p]; !ok || o != s {
			ch = append(ch, p)
		}
	}
	for p := range old {
		if _, ok := new[p]; !ok {
			ch = append(ch, p)
		}
	}
	sort.Strings(ch)
	return ch
}

// stackOf says which stack a changed file belongs to: DIR/x/... is stack x's
// (template or function source), DIR/x.yaml is x's template, and an
// AWS::Include snippet is its template's.
func stackOf(found []stacks.Found, path string) (stacks.Found, bool) {
	for _, f := range found {
		if path == f.Path || slices.Contains(f.Snippets, filepath.Clean(path)) {
			return f, true
		}
		if filepath.Base(f.Path) == "template.yaml" || filepath.Base(f.Path) == "template.yml" || filepath.Base(f.Path) == "template.json" {
			if strings.HasPrefix(path, filepath.Dir(f.Path)+string(filepath.Separator)) {
				return f, true
			}
		}
	}
	return stacks.Found{}, false
}

// watch redeploys the stacks whose templates or sources change under dir
// until ctx ends. Packaging hashes content, so only resources whose code or
// properties really changed are touched: other functions keep their warm
// instances, and in-flight invocations of a replaced function finish on the
// old instance.
func watch(ctx context.Context, dir string, interval time.Duration, deployOne func(ctx context.Context, f stacks.Found) error, out io.Writer) error {
	prev, err := snapshot(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Watching %s for changes (templates and function sources).\n", dir)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		cur, err := snapshot(dir)
		if err != nil {
			fmt.Fprintf(out, "watch: %v\n", err)
			continue
		}
		changed := changedFiles(prev, cur)
		if len(changed) == 0 {
			continue
		}
		// Let a burst of saves settle before building.
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(interval):
			}
			next, err := snapshot(dir)
			if err != nil || len(changedFiles(cur, next)) == 0 {
				break
			}
			changed, cur = changedFiles(prev, next), next
		}
		prev = cur
		found, err := stacks.FindTemplates(dir, linkTransform)
		if err != nil {
			fmt.Fprintf(out, "watch: %v\n", err)
			continue
		}
		seen := map[string]bool{}
		var todo []stacks.Found
		why := map[string]string{} // stack -> the first changed file of it
		for _, f := range found {  // FindTemplates' order is the deploy order
			for _, c := range changed {
				if g, ok := stackOf([]stacks.Found{f}, c); ok && !seen[g.Stack] {
					seen[g.Stack] = true
					why[g.Stack] = c
					todo = append(todo, g)
				}
			}
		}
		for _, f := range todo {
			rel, _ := filepath.Rel(dir, why[f.Stack])
			fmt.Fprintf(out, "\n== change in %s: redeploying stack %s\n", rel, f.Stack)
			start := time.Now()
			if err := deployOne(ctx, f); err != nil {
				fmt.Fprintf(out, "stack %s: %v\n(fix it and save again)\n", f.Stack, err)
				continue
			}
			fmt.Fprintf(out, "== stack %s redeployed in %s\n", f.Stack, roundDuration(time.Since(start)))
		}
	}
}
