package expr

import "github.com/nubo-run/nubo/internal/tables/attr"

// Step is one element of a document path: an attribute name or a list index.
type Step struct {
	Name  string
	Index int
	IsIdx bool
}

// Path is a document path (a.b[2].c).
type Path []Step

func (p Path) String() string {
	s := ""
	for i, st := range p {
		if st.IsIdx {
			s += "[" + itoa(st.Index) + "]"
			continue
		}
		if i > 0 {
			s += "."
		}
		s += st.Name
	}
	return s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// Operand is a value in a condition: a path, a placeholder's value, or size(path).
type Operand struct {
	Path  Path
	Value *attr.Value
	Size  Path
}

// Cond is a condition node.
type Cond struct {
	Op       string // AND OR NOT = <> < <= > >= BETWEEN IN FUNC
	L, R     *Cond
	Args     []Operand // comparison and BETWEEN/IN operands; function arguments
	Function string
}

// SetValue is the right side of a SET action.
type SetValue struct {
	Op   string // "" (single), "+", "-"
	A, B *SetOperand
}

// SetOperand is a path, a value, or if_not_exists/list_append.
type SetOperand struct {
	Path     Path
	Value    *attr.Value
	Function string // if_not_exists, list_append
	Args     []*SetOperand
}

// Action is one action of an update expression.
type Action struct {
	Clause string // SET REMOVE ADD DELETE
	Path   Path
	Set    *SetValue
	Value  *attr.Value // ADD and DELETE
}

// Update is a parsed update expression.
type Update struct{ Actions []Action }
