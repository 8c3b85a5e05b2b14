package attr

// MaxItemSize is DynamoDB's item size limit: 400 KB, names and values.
const MaxItemSize = 400 * 1024

// Size is an item's size as DynamoDB counts it: each attribute's name in
// UTF-8 bytes plus its value's size.
func (it Item) Size() int {
	n := 0
	for name, v := range it {
		n += len(name) + v.Size()
	}
	return n
}

// Size is one value's size: strings and binaries their bytes, numbers
// about one byte per two digits plus one, BOOL and NULL one byte, lists
// and maps three bytes plus one per element and their elements.
func (v Value) Size() int {
	switch v.Kind {
	case S, B:
		return len(v.Str)
	case N:
		return numSize(v.Str)
	case BOOL, NULL:
		return 1
	case SS, BS:
		n := 0
		for _, e := range v.Set {
			n += len(e)
		}
		return n
	case NS:
		n := 0
		for _, e := range v.Set {
			n += numSize(e)
		}
		return n
	case L:
		n := 3
		for _, e := range v.L {
			n += 1 + e.Size()
		}
		return n
	case M:
		n := 3
		for k, e := range v.M {
			n += 1 + len(k) + e.Size()
		}
		return n
	}
	return 0
}

func numSize(s string) int {
	d, _ := ParseNumber(s)
	return (len(d.Digits)+1)/2 + 1
}
