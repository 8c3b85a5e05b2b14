package parameters

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidLabel(t *testing.T) {
	for l, ok := range map[string]bool{
		"prod": true, "Prod.v2-x_y": true, "a": true, "1x": false, "awsx": false, "AWS": false, "ssmy": false, "SsM": false,
		"has space": false, "colon:": false, "slash/": false, "": false, strings.Repeat("a", 101): false, strings.Repeat("a", 100): true,
	} {
		if validLabel(l) != ok {
			t.Errorf("%q: valid %v, want %v", l, !ok, ok)
		}
	}
}

func TestKeptLabelsDropsLabelsOfDroppedVersions(t *testing.T) {
	got := keptLabels(map[string]int64{"old": 1, "edge": 2, "new": 101}, 101)
	if !reflect.DeepEqual(got, map[string]int64{"edge": 2, "new": 101}) {
		t.Errorf("kept %v", got)
	}
	if keptLabels(nil, 5) != nil {
		t.Error("no labels kept some")
	}
}
