// Command gen writes internal/iam/awsmanaged's data: every AWS managed
// policy (name, path, id, ARN, default version, dates and the default
// version's document) read from a git checkout of z0ph/MAMIP, which
// stores AWS's own documents as IAM returns them
// (policies-list.json: ListPolicies(Scope=AWS); policies/NAME:
// GetPolicyVersion of the default version). When the two disagree on a
// policy's version, the document (fetched later) wins.
//
//	git clone https://github.com/z0ph/MAMIP /tmp/MAMIP
//	MAMIP=/tmp/MAMIP go generate ./internal/iam/awsmanaged
//
// -repo may be a work tree or a bare git directory; -rev picks the commit
// (default HEAD). It writes policies.tsv.gz (a line per policy, sorted by
// ARN, tab-separated fields, the document compacted JSON) and zz_source.go
// (where the data came from).
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// header is policies.tsv.gz's first line; awsmanaged checks it.
const header = "nubo-awsmanaged 1 name path id version created updated document"

// entry is one policy: a line of policies.tsv.gz.
type entry struct {
	Name, Path, ID, Version, Created, Updated string
	Document                                  []byte
}

// listed is one policy of policies-list.json (IAM's ListPolicies shape).
type listed struct {
	PolicyName       string
	PolicyId         string
	Arn              string
	Path             string
	DefaultVersionId string
	CreateDate       string
	UpdateDate       string
}

// version is a policies/NAME file (IAM's GetPolicyVersion shape).
type version struct {
	PolicyVersion struct {
		VersionId        string
		IsDefaultVersion bool
		CreateDate       string
		Document         json.RawMessage
	}
}

func main() {
	repo := flag.String("repo", "", "a git checkout (work tree or bare) of z0ph/MAMIP")
	rev := flag.String("rev", "HEAD", "the commit to read")
	source := flag.String("source", "https://github.com/z0ph/MAMIP", "the checkout's public URL, recorded in zz_source.go")
	out := flag.String("out", ".", "the directory to write policies.tsv.gz and zz_source.go to")
	flag.Parse()
	if *repo == "" {
		log.Fatal("gen: -repo (or $MAMIP for go generate) must name a checkout of " + *source)
	}
	if err := run(*repo, *rev, *source, *out); err != nil {
		log.Fatalf("gen: %v", err)
	}
}

func run(repo, rev, source, out string) error {
	g := gitRepo(repo)
	meta, err := g.output("log", "-1", "--format=%H %cI", rev)
	if err != nil {
		return err
	}
	commit, date, _ := strings.Cut(strings.TrimSpace(string(meta)), " ")
	files, err := g.blobs(commit, "policies-list.json")
	if err != nil {
		return err
	}
	var list struct{ Policies []listed }
	if err := json.Unmarshal(files["policies-list.json"], &list); err != nil {
		return fmt.Errorf("policies-list.json: %w", err)
	}
	names := make([]string, 0, len(list.Policies))
	for _, p := range list.Policies {
		names = append(names, "policies/"+p.PolicyName)
	}
	docs, err := g.blobs(commit, names...)
	if err != nil {
		return err
	}
	entries := make([]entry, 0, len(list.Policies))
	var missing []string
	stale := 0
	for _, p := range list.Policies {
		raw, ok := docs["policies/"+p.PolicyName]
		if !ok {
			missing = append(missing, p.PolicyName)
			continue
		}
		var v version
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("policies/%s: %w", p.PolicyName, err)
		}
		if !v.PolicyVersion.IsDefaultVersion {
			return fmt.Errorf("policies/%s: version %s is not the default", p.PolicyName, v.PolicyVersion.VersionId)
		}
		updated := p.UpdateDate
		if v.PolicyVersion.VersionId != p.DefaultVersionId {
			// The document was fetched after the list: its version is the newer.
			updated, stale = v.PolicyVersion.CreateDate, stale+1
		}
		if want := "arn:aws:iam::aws:policy" + p.Path + p.PolicyName; p.Arn != want {
			return fmt.Errorf("%s: ARN %s, want %s", p.PolicyName, p.Arn, want)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.PolicyVersion.Document); err != nil {
			return fmt.Errorf("policies/%s: document: %w", p.PolicyName, err)
		}
		entries = append(entries, entry{
			Name: p.PolicyName, Path: p.Path, ID: p.PolicyId, Version: v.PolicyVersion.VersionId,
			Created: p.CreateDate, Updated: updated, Document: doc.Bytes(),
		})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path+entries[i].Name < entries[j].Path+entries[j].Name })
	var data bytes.Buffer
	zw, err := gzip.NewWriterLevel(&data, gzip.BestCompression)
	if err != nil {
		return err
	}
	// One policy a line, its fields separated by tabs: a compacted JSON
	// document has neither (inside strings they are escaped).
	fmt.Fprintf(zw, "%s\n", header)
	for _, e := range entries {
		fields := []string{e.Name, e.Path, e.ID, e.Version, e.Created, e.Updated, string(e.Document)}
		for _, f := range fields {
			if strings.ContainsAny(f, "\t\n") {
				return fmt.Errorf("%s: a tab or newline in %q", e.Name, f)
			}
		}
		fmt.Fprintf(zw, "%s\n", strings.Join(fields, "\t"))
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out+"/policies.tsv.gz", data.Bytes(), 0o644); err != nil {
		return err
	}
	src := fmt.Sprintf(`// Code generated by ./gen; DO NOT EDIT.
//
// AWS managed policies: %d, read from %s
// at commit %s (%s).
// Policies listed without a document there: %d %v.
// Documents newer than the list (their version and date are the document's): %d.

package awsmanaged

// Where policies.tsv.gz came from.
const (
	Source = %s
	Commit = %s
	Date   = %s
	Count  = %d
)
`, len(entries), source, commit, date, len(missing), missing, stale, strconv.Quote(source), strconv.Quote(commit), strconv.Quote(date), len(entries))
	formatted, err := format.Source([]byte(src))
	if err != nil {
		return err
	}
	if err := os.WriteFile(out+"/zz_source.go", formatted, 0o644); err != nil {
		return err
	}
	log.Printf("%d policies from %s@%s (%s): policies.tsv.gz %d bytes", len(entries), source, commit[:12], date, data.Len())
	return nil
}

// gitRepo is a checkout read through git, so a bare mirror works too.
type gitRepo string

func (g gitRepo) output(args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", string(g)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// blobs reads the files at commit; a path that does not exist is left out.
func (g gitRepo) blobs(commit string, paths ...string) (map[string][]byte, error) {
	cmd := exec.Command("git", "-C", string(g), "cat-file", "--batch")
	var in bytes.Buffer
	for _, p := range paths {
		fmt.Fprintf(&in, "%s:%s\n", commit, p)
	}
	cmd.Stdin = &in
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := bufio.NewReader(stdout)
	out := map[string][]byte{}
	for _, p := range paths {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("git cat-file %s: %w", p, err)
		}
		fields := strings.Fields(header)
		if len(fields) == 2 && fields[1] == "missing" {
			continue
		}
		if len(fields) != 3 {
			return nil, fmt.Errorf("git cat-file %s: %q", p, header)
		}
		n, err := strconv.Atoi(fields[2])
		if err != nil {
			return nil, fmt.Errorf("git cat-file %s: %q", p, header)
		}
		buf := make([]byte, n+1) // the blob and its newline
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("git cat-file %s: %w", p, err)
		}
		out[p] = buf[:n]
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return out, nil
}
