package stacks

import (
	"fmt"
	"sort"
	"strings"
)

// graph is the dependency graph of a stack's active resources: deps[a]
// holds what a needs before it can be created or updated.
type graph struct {
	nodes []string
	deps  map[string][]string
}

// CycleError names a dependency cycle.
type CycleError struct{ Cycle []string }

func (e *CycleError) Error() string {
	return "circular dependency between resources: " + strings.Join(e.Cycle, " -> ")
}

func (e *CycleError) Unwrap() error { return ErrTemplate }

func newGraph(nodes []string, deps map[string][]string) (*graph, error) {
	g := &graph{nodes: append([]string(nil), nodes...), deps: deps}
	sort.Strings(g.nodes)
	if c := g.findCycle(); c != nil {
		return nil, &CycleError{Cycle: c}
	}
	return g, nil
}

// findCycle returns one cycle (first node repeated at the end), or nil.
func (g *graph) findCycle() []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var found []string
	var visit func(n string) bool
	visit = func(n string) bool {
		color[n] = grey
		stack = append(stack, n)
		for _, d := range g.deps[n] {
			switch color[d] {
			case grey:
				for i, s := range stack {
					if s == d {
						found = append(append([]string(nil), stack[i:]...), d)
						return true
					}
				}
			case white:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return false
	}
	for _, n := range g.nodes {
		if color[n] == white && visit(n) {
			return found
		}
	}
	return nil
}

// order returns the nodes dependencies first, ties by name.
func (g *graph) order() []string {
	indeg := map[string]int{}
	users := map[string][]string{}
	for _, n := range g.nodes {
		indeg[n] += 0
		for _, d := range g.deps[n] {
			indeg[n]++
			users[d] = append(users[d], n)
		}
	}
	var ready, out []string
	for _, n := range g.nodes {
		if indeg[n] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, u := range users[n] {
			if indeg[u]--; indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	return out
}

// templateGraph builds the graph of the active resources of t.
func templateGraph(t *Template, active map[string]bool) (*graph, error) {
	deps := map[string][]string{}
	var nodes []string
	for _, id := range t.ids {
		if !active[id] {
			continue
		}
		nodes = append(nodes, id)
		for _, d := range t.references(id) {
			if active[d] {
				deps[id] = append(deps[id], d)
			} else if contains(t.Resources[id].DependsOn, d) {
				return nil, t.Lines.errorf(join(join("Resources", id), "DependsOn"), "DependsOn names %q, whose condition is false", d)
			}
		}
	}
	g, err := newGraph(nodes, deps)
	if err != nil {
		var ce *CycleError
		if asCycle(err, &ce) {
			return nil, &TemplateError{Path: "Resources/" + ce.Cycle[0], Line: t.Lines.At("Resources/" + ce.Cycle[0]), Msg: ce.Error()}
		}
		return nil, err
	}
	return g, nil
}

func asCycle(err error, target **CycleError) bool {
	c, ok := err.(*CycleError)
	if ok {
		*target = c
	}
	return ok
}

// StackCycleError names a cycle of imports between stacks.
type StackCycleError struct{ Cycle []string }

func (e *StackCycleError) Error() string {
	return fmt.Sprintf("stacks import each other in a cycle: %s", strings.Join(e.Cycle, " -> "))
}

// OrderStacks orders stacks so that each comes after the stacks whose
// exports it imports. needs[s] lists the stacks s imports from.
func OrderStacks(names []string, needs map[string][]string) ([]string, error) {
	g := &graph{nodes: sortedStrings(names), deps: needs}
	if c := g.findCycle(); c != nil {
		return nil, &StackCycleError{Cycle: c}
	}
	return g.order(), nil
}
