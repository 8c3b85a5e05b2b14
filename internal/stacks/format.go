package stacks

import (
	"fmt"
	"io"
	"strings"
)

// Render prints the plan the way terraform plan does: a line per resource
// with +, ~, -/+ or -, the changed properties beneath, then a summary.
func (p *Plan) Render(w io.Writer) {
	from := "new stack"
	if p.FromVersion > 0 {
		from = fmt.Sprintf("deployment %d", p.FromVersion)
	}
	fmt.Fprintf(w, "Stack %s (%s), against %s:\n", p.Stack, p.Class, from)
	for _, b := range p.Builds {
		fmt.Fprintf(w, "  %s\n", b)
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "\nWarning: %s\n", warn)
	}
	if p.Empty() {
		fmt.Fprintf(w, "\nNo changes. The stack matches the template.\n")
		p.renderRefusals(w)
		return
	}
	for _, c := range p.Changes {
		fmt.Fprintf(w, "\n%4s %s (%s)", c.Action.Symbol(), c.LogicalID, c.Type)
		if c.PhysicalID != "" {
			fmt.Fprintf(w, " %s", c.PhysicalID)
		}
		switch {
		case c.Action == ActionReplace && c.Retained:
			fmt.Fprint(w, "  # old one retained (UpdateReplacePolicy)")
		case c.Action == ActionDelete && c.Retained:
			fmt.Fprint(w, "  # retained (DeletionPolicy), removed from the stack only")
		case c.DataLoss:
			fmt.Fprint(w, "  # DATA LOSS")
		}
		fmt.Fprintln(w)
		width := 0
		for _, pc := range c.Props {
			width = max(width, len(pc.Path))
		}
		for _, pc := range c.Props {
			pad := strings.Repeat(" ", width-len(pc.Path))
			switch pc.Op {
			case "+":
				fmt.Fprintf(w, "       + %s:%s %s", pc.Path, pad, pc.New)
			case "-":
				fmt.Fprintf(w, "       - %s:%s %s", pc.Path, pad, pc.Old)
			default:
				fmt.Fprintf(w, "       ~ %s:%s %s -> %s", pc.Path, pad, pc.Old, pc.New)
			}
			if pc.ForcesReplacement && c.Action == ActionReplace {
				fmt.Fprint(w, "  # forces replacement")
			}
			fmt.Fprintln(w)
		}
	}
	if len(p.Outputs) > 0 {
		fmt.Fprintf(w, "\nOutputs:\n")
		for _, o := range p.Outputs {
			exp := ""
			if o.Export != "" {
				exp = fmt.Sprintf("  # export %s", o.Export)
			}
			switch o.Op {
			case "+":
				fmt.Fprintf(w, "   + %s: %s%s\n", o.Name, o.New, exp)
			case "-":
				fmt.Fprintf(w, "   - %s: %s%s\n", o.Name, o.Old, exp)
			default:
				fmt.Fprintf(w, "   ~ %s: %s -> %s%s\n", o.Name, o.Old, o.New, exp)
			}
		}
	}
	add, change, replace, destroy := p.Counts()
	fmt.Fprintf(w, "\nPlan: %d to add, %d to change, %d to replace, %d to destroy.\n", add, change, replace, destroy)
	p.renderRefusals(w)
}

func (p *Plan) renderRefusals(w io.Writer) {
	for _, r := range p.Refusals {
		fmt.Fprintf(w, "\nRefused: %s\n", r)
	}
}
