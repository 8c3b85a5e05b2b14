package runtimes

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the family a runtime identifier belongs to.
type Kind int

// The runtime families nubo can start.
const (
	KindUnknown  Kind = iota
	KindProvided      // the function's own bootstrap
	KindPython        // nubo's Python shim on a Python interpreter
	KindNode          // nubo's Node.js shim on a node interpreter
	KindGo            // go1.x: the handler is an executable (aws-lambda-go)
	KindJava          // nubo's Java bootstrap on a JVM
)

// Status is where a runtime identifier stands, on AWS and in nubo.
type Status int

const (
	// StatusCurrent: Lambda accepts it and nubo runs it.
	StatusCurrent Status = iota
	// StatusDeprecated: nubo runs it, but Lambda has deprecated it (new
	// functions may be refused there): deploys warn.
	StatusDeprecated
	// StatusRetired: Lambda refuses it for creating or updating functions,
	// and so does nubo, with Lambda's message.
	StatusRetired
	// StatusNotYet: Lambda accepts it, nubo cannot run it yet.
	StatusNotYet
)

// Info describes one runtime identifier.
type Info struct {
	ID      string
	Kind    Kind
	Version string // the language version it names: "3.14", "24"; "" for provided
	Status  Status
	Note    string // why it is deprecated or not run yet
}

// catalog is every runtime identifier Lambda knows, current or retired, in
// Lambda's spelling (AWS Lambda developer guide, "Lambda runtimes" and
// "Runtime deprecation"). A function returning a fresh slice keeps it
// immutable.
func catalog() []Info {
	cur := func(id string, k Kind, v string) Info { return Info{ID: id, Kind: k, Version: v} }
	retired := func(id string) Info { return Info{ID: id, Status: StatusRetired} }
	notYet := func(id, why string) Info { return Info{ID: id, Status: StatusNotYet, Note: why} }
	const customHint = "package it for provided.al2023 with its own bootstrap (a custom runtime) to run it on nubo today"
	return []Info{
		cur("provided.al2023", KindProvided, ""),
		cur("provided.al2", KindProvided, ""),
		{ID: "provided", Kind: KindProvided, Status: StatusDeprecated, Note: "Lambda deprecated the Amazon Linux 1 custom runtime on 2024-01-08: use provided.al2023"},
		cur("python3.14", KindPython, "3.14"),
		cur("python3.13", KindPython, "3.13"),
		cur("python3.12", KindPython, "3.12"),
		cur("python3.11", KindPython, "3.11"),
		cur("python3.10", KindPython, "3.10"),
		{ID: "python3.9", Kind: KindPython, Version: "3.9", Status: StatusDeprecated, Note: "Lambda deprecated python3.9 on 2025-12-15: use python3.13 or later"},
		cur("nodejs24.x", KindNode, "24"),
		cur("nodejs22.x", KindNode, "22"),
		cur("nodejs20.x", KindNode, "20"),
		{ID: "nodejs18.x", Kind: KindNode, Version: "18", Status: StatusDeprecated, Note: "Lambda deprecated nodejs18.x on 2025-09-01: use nodejs22.x or later"},
		{ID: "go1.x", Kind: KindGo, Status: StatusDeprecated, Note: "Lambda deprecated go1.x on 2024-01-08: build with -tags lambda.norpc, name the binary bootstrap and use provided.al2023"},
		cur("java25", KindJava, "25"),
		cur("java21", KindJava, "21"),
		cur("java17", KindJava, "17"),
		{ID: "java11", Kind: KindJava, Version: "11", Status: StatusDeprecated, Note: "java11 runs on Amazon Linux 2, which reached its end of life on 2026-06-30: use java21 or later"},
		{ID: "java8.al2", Kind: KindJava, Version: "8", Status: StatusDeprecated, Note: "java8.al2 runs on Amazon Linux 2, which reached its end of life on 2026-06-30: use java21 or later"},
		notYet("ruby3.4", "nubo has no Ruby runtime yet: "+customHint),
		notYet("ruby3.3", "nubo has no Ruby runtime yet: "+customHint),
		notYet("dotnet8", "nubo has no .NET runtime yet: "+customHint),
		notYet("dotnet10", "nubo has no .NET runtime yet: "+customHint),
		retired("python3.8"), retired("python3.7"), retired("python3.6"), retired("python2.7"),
		retired("nodejs16.x"), retired("nodejs14.x"), retired("nodejs12.x"), retired("nodejs10.x"),
		retired("nodejs8.10"), retired("nodejs6.10"), retired("nodejs4.3"), retired("nodejs4.3-edge"), retired("nodejs"),
		retired("java8"), retired("ruby3.2"), retired("ruby2.7"), retired("ruby2.5"),
		retired("dotnet7"), retired("dotnet6"), retired("dotnet5.0"), retired("dotnetcore3.1"),
		retired("dotnetcore2.1"), retired("dotnetcore2.0"), retired("dotnetcore1.0"),
	}
}

// Lookup finds a runtime identifier, current, deprecated, retired or not yet
// run by nubo.
func Lookup(id string) (Info, bool) {
	for _, in := range catalog() {
		if in.ID == id {
			return in, true
		}
	}
	return Info{}, false
}

// Runtimes lists the runtime identifiers nubo runs (current and deprecated).
func Runtimes() []string {
	var ids []string
	for _, in := range catalog() {
		if in.Status == StatusCurrent || in.Status == StatusDeprecated {
			ids = append(ids, in.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Supported reports whether runtime is one nubo can start.
func Supported(runtime string) bool {
	in, ok := Lookup(runtime)
	return ok && (in.Status == StatusCurrent || in.Status == StatusDeprecated)
}

// KindOf tells which family a supported runtime belongs to (KindUnknown for
// anything Supported rejects).
func KindOf(runtime string) Kind {
	if in, ok := Lookup(runtime); ok && Supported(runtime) {
		return in.Kind
	}
	return KindUnknown
}

// Check tells whether a function may be created or updated with runtime: nil
// for a current one; for a deprecated one, nil and a warning; otherwise an
// error worded as Lambda words it (retired and unknown identifiers), or
// saying what nubo lacks (identifiers Lambda runs and nubo does not yet).
func Check(runtime string) (warning string, err error) {
	in, ok := Lookup(runtime)
	switch {
	case !ok:
		return "", fmt.Errorf("The runtime parameter of %s is not supported. Valid runtimes: %s", runtime, strings.Join(Runtimes(), ", "))
	case in.Status == StatusRetired:
		return "", fmt.Errorf("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", runtime)
	case in.Status == StatusNotYet:
		return "", fmt.Errorf("The runtime parameter of %s is valid on AWS Lambda, but %s", runtime, in.Note)
	case in.Status == StatusDeprecated:
		return fmt.Sprintf("runtime %s: %s", runtime, in.Note), nil
	}
	return "", nil
}

// Catalog lists every runtime identifier Lambda knows, current ones first.
func Catalog() []Info { return catalog() }
