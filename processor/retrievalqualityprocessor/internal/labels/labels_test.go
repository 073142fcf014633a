package labels

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Grades
		wantErr string
	}{
		{in: `["kb-101", "kb-105"]`, want: Grades{"kb-101": 1, "kb-105": 1}},
		{in: `{"kb-101": 3, "kb-105": 0}`, want: Grades{"kb-101": 3, "kb-105": 0}},
		{in: `[{"id": "a", "relevance": 2}, {"document_id": "b"}, {"id": 7, "grade": "1.5"}]`, want: Grades{"a": 2, "b": 1, "7": 1.5}},
		{in: `[1, 2]`, want: Grades{"1": 1, "2": 1}},
		{in: `kb-101, kb-105 ,`, want: Grades{"kb-101": 1, "kb-105": 1}},
		{in: `["a", {"id": "a", "relevance": 3}]`, want: Grades{"a": 3}}, // higher grade kept
		{in: ``, want: nil},
		{in: `[`, wantErr: "not valid JSON"},
		{in: `["a"] x`, wantErr: "data after the value"},
		{in: `[{"relevance": 1}]`, wantErr: "[0]: object without an id"},
		{in: `[{"id": "a", "relevance": -1}]`, wantErr: "[0]: relevance: grade -1 must be a finite number >= 0"},
		{in: `{"a": "high"}`, wantErr: `"a": grade "high" is not a number`},
		{in: `{"a": [1]}`, wantErr: `"a": grade must be a number, got a list`},
		{in: `[null]`, wantErr: "[0]: want an id or an object, got null"},
		{in: `{"": 1}`, wantErr: "empty document id"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseBoundsTheNumberOfLabels(t *testing.T) {
	big := "["
	for i := range MaxEntries + 1 {
		if i > 0 {
			big += ","
		}
		big += `"x"`
	}
	_, err := Parse(big + "]")
	require.ErrorContains(t, err, "more than 1000 labels")
}

func TestFromValue(t *testing.T) {
	slice := pcommon.NewValueSlice()
	slice.Slice().AppendEmpty().SetStr("a")
	slice.Slice().AppendEmpty().SetInt(12)
	m := pcommon.NewValueMap()
	m.Map().PutDouble("a", 2)
	m.Map().PutInt("b", 1)
	objs := pcommon.NewValueSlice()
	o := objs.Slice().AppendEmpty().SetEmptyMap()
	o.PutStr("id", "x")
	o.PutInt("relevance", 3)

	for name, tt := range map[string]struct {
		v       pcommon.Value
		want    Grades
		wantErr bool
	}{
		"slice of ids":     {v: slice, want: Grades{"a": 1, "12": 1}},
		"map":              {v: m, want: Grades{"a": 2, "b": 1}},
		"slice of objects": {v: objs, want: Grades{"x": 3}},
		"json string":      {v: pcommon.NewValueStr(`{"a": 1}`), want: Grades{"a": 1}},
		"empty":            {v: pcommon.NewValueEmpty(), want: nil},
		"int":              {v: pcommon.NewValueInt(3), wantErr: true},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := FromValue(tt.v)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLoadFile(t *testing.T) {
	ix, err := LoadFile(filepath.Join("testdata", "labels.yaml"))
	require.NoError(t, err)
	assert.Equal(t, 5, ix.Len())
	for q, want := range map[string]Grades{
		"How do I reset the password on my account?":                      {"kb-101": 1},
		"  how do i RESET the password   on my account? ":                 {"kb-101": 1},
		"Summarise the refund policy for annual plans.":                   {"kb-102": 3},
		"Which regions does the GPU cluster run in?":                      {"kb-103": 3, "kb-104": 1},
		"Explain the difference between prefill and decode.":              {"kb-104": 1},
		"What is the on-call escalation path for the inference platform?": {"kb-105": 2, "106": 0},
	} {
		got, ok := ix.Lookup(q)
		require.True(t, ok, q)
		assert.Equal(t, want, got, q)
	}
	_, ok := ix.Lookup("unknown question")
	assert.False(t, ok)

	var nilIndex *Index
	_, ok = nilIndex.Lookup("x")
	assert.False(t, ok)
}

func TestParseFileErrorsNameTheEntry(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"empty":          {"", "empty file"},
		"unknown key":    {"queries:\n  - query: a\n    relevant: [x]\n    extra: 1\n", "field extra not found"},
		"empty query":    {"queries:\n  - query: ' '\n    relevant: [x]\n", "queries[0].query: empty"},
		"duplicate":      {"queries:\n  - query: A b\n    relevant: [x]\n  - query: a  B\n    relevant: [y]\n", "queries[1].query: same query as queries[0]"},
		"bad grade":      {"queries:\n  - query: a\n    relevant: {x: -2}\n", "queries[0].relevant: \"x\": grade -2"},
		"bad item":       {"queries:\n  - query: a\n    relevant: [x, [y]]\n", "queries[0].relevant[1]: want an id or an object, got a list"},
		"no documents":   {"queries:\n  - query: a\n    relevant: []\n", "queries[0].relevant: no documents"},
		"not yaml":       {"queries: [", "yaml"},
		"scalar at root": {"3", "cannot unmarshal"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseFile([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`["a","b"]`, `{"a":1}`, `[{"id":"a","relevance":2}]`, `a,b`, `[{"id":1e400}]`, `{"a":NaN}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := Parse(s)
		if err != nil {
			return
		}
		if len(g) > MaxEntries {
			t.Fatalf("%d labels", len(g))
		}
		for id, grade := range g {
			if id == "" || grade < 0 || grade != grade {
				t.Fatalf("bad label %q=%v", id, grade)
			}
		}
	})
}

func FuzzParseFile(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "labels.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("queries:\n  - query: a\n    relevant: {1: 2}\n"))
	f.Add([]byte("queries: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ParseFile(data)
		if err != nil {
			return
		}
		for _, g := range ix.byQuery {
			for id, grade := range g {
				if id == "" || grade < 0 || grade != grade {
					t.Fatalf("bad label %q=%v", id, grade)
				}
			}
		}
	})
}
