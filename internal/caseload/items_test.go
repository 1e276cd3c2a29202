package caseload

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeItems reads stored answers exactly as encoding/json does: the same
// answers, or an error where it gives one.
func TestDecodeItemsAsEncodingJSON(t *testing.T) {
	cases := []string{
		"[]", "[0]", "[null]", "[1,2,3,null,0,3,2,1,0]", "[10,0,null,7,8]", "[123456]", "[1234567]",
		"[01]", "[-1]", "[1.5]", "[1e2]", "[ 1, 2 ]", "[1,,2]", "[1,]", "[,1]", "[nul]", "[\"1\"]",
		"null", "", "[", "]", "{}", "[1]x", "[true]", "[[1]]",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var parts []string
		for range rng.IntN(12) {
			switch rng.IntN(6) {
			case 0:
				parts = append(parts, "null")
			case 1:
				parts = append(parts, []string{"", "-1", "01", " 2", "x", "1.0"}[rng.IntN(6)])
			default:
				parts = append(parts, strconv.Itoa(rng.IntN(30)))
			}
		}
		cases = append(cases, "["+strings.Join(parts, ",")+"]")
	}
	for _, c := range cases {
		checkDecodeItems(t, c)
	}
}

func FuzzDecodeItems(f *testing.F) {
	for _, s := range []string{"[1,null,3]", "[]", "[01]", "null"} {
		f.Add(s)
	}
	f.Fuzz(checkDecodeItems)
}

func checkDecodeItems(t *testing.T, s string) {
	var want []*int
	wantErr := json.Unmarshal([]byte(s), &want)
	got, err := decodeItems(s)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, encoding/json %v", s, err, wantErr)
	}
	if err != nil {
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%q (-encoding/json +decodeItems):\n%s", s, diff)
	}
	if (want == nil) != (got == nil) {
		t.Errorf("%q: nil %v, encoding/json nil %v", s, got == nil, want == nil)
	}
}
