package ui

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Tests read pages as a person (or a screen reader) does, by element rather
// than by the spelling of the markup: p.doc(t).has(t, `input[name="date"][value="2026-03-16"]`).
// Selectors are a small part of CSS: a tag, #id, .class, [attr] and
// [attr=value] (quoted or not), [attr^=prefix] in any combination, and a space for "inside".

// htmlDoc is a parsed page.
type htmlDoc struct{ root *html.Node }

func parseDoc(t testing.TB, body string) htmlDoc {
	t.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return htmlDoc{root}
}

// doc is the response's body, parsed.
func (p page) doc(t testing.TB) htmlDoc {
	t.Helper()
	return parseDoc(t, p.Body)
}

// find lists the elements matching sel, in document order.
func (d htmlDoc) find(t testing.TB, sel string) []*html.Node {
	t.Helper()
	var steps []compound
	for _, part := range splitSelector(sel) {
		c, err := parseCompound(part)
		if err != nil {
			t.Fatalf("selector %q: %v", sel, err)
		}
		steps = append(steps, c)
	}
	var out []*html.Node
	for n := range d.root.Descendants() {
		if n.Type == html.ElementNode && matchesChain(n, steps) {
			out = append(out, n)
		}
	}
	return out
}

// splitSelector splits a selector at the spaces outside [...].
func splitSelector(sel string) []string {
	var parts []string
	var cur strings.Builder
	depth := 0
	for _, r := range sel {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case r == ' ' && depth == 0:
			if cur.Len() > 0 {
				parts = append(parts, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		parts = append(parts, cur.String())
	}
	return parts
}

// has reports whether any element matches sel.
func (d htmlDoc) has(t testing.TB, sel string) bool {
	t.Helper()
	return len(d.find(t, sel)) > 0
}

// hasText reports whether an element matching sel reads exactly text
// (spaces collapsed).
func (d htmlDoc) hasText(t testing.TB, sel, text string) bool {
	t.Helper()
	for _, n := range d.find(t, sel) {
		if textOf(n) == text {
			return true
		}
	}
	return false
}

// title is the page's <title>.
func (d htmlDoc) title(t testing.TB) string {
	t.Helper()
	if ns := d.find(t, "title"); len(ns) > 0 {
		return textOf(ns[0])
	}
	return ""
}

// textOf is an element's text, with runs of space collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

type attrTest struct {
	key, value string
	any        bool // [attr]: present, whatever its value
	prefix     bool // [attr^=value]: the value starts with value
}

// compound is one step of a selector: a.cls#id[attr=value].
type compound struct {
	tag   string
	attrs []attrTest
	class []string
}

func parseCompound(s string) (compound, error) {
	var c compound
	i := 0
	name := func() string {
		j := i
		for i < len(s) && !strings.ContainsRune("#.[", rune(s[i])) {
			i++
		}
		return s[j:i]
	}
	c.tag = name()
	for i < len(s) {
		switch s[i] {
		case '#':
			i++
			c.attrs = append(c.attrs, attrTest{key: "id", value: name()})
		case '.':
			i++
			c.class = append(c.class, name())
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return c, errUnclosed
			}
			body := s[i+1 : i+end]
			i += end + 1
			k, v, ok := strings.Cut(body, "=")
			k, prefix := strings.CutSuffix(k, "^")
			c.attrs = append(c.attrs, attrTest{key: k, value: strings.Trim(v, `"'`), any: !ok, prefix: prefix})
		}
	}
	return c, nil
}

var errUnclosed = &selectorError{"an attribute test has no closing ]"}

type selectorError struct{ msg string }

func (e *selectorError) Error() string { return e.msg }

func (c compound) matches(n *html.Node) bool {
	if c.tag != "" && c.tag != "*" && n.Data != c.tag {
		return false
	}
	for _, a := range c.attrs {
		v, ok := attrOf(n, a.key)
		switch {
		case !ok:
			return false
		case a.prefix:
			if !strings.HasPrefix(v, a.value) {
				return false
			}
		case !a.any && v != a.value:
			return false
		}
	}
	if len(c.class) > 0 {
		v, _ := attrOf(n, "class")
		have := strings.Fields(v)
		for _, cl := range c.class {
			if !slices.Contains(have, cl) {
				return false
			}
		}
	}
	return true
}

// matchesChain: n matches the last step, and its ancestors the earlier
// ones, in order.
func matchesChain(n *html.Node, steps []compound) bool {
	if len(steps) == 0 || !steps[len(steps)-1].matches(n) {
		return false
	}
	rest := steps[:len(steps)-1]
	for a := n.Parent; a != nil && len(rest) > 0; a = a.Parent {
		if a.Type == html.ElementNode && rest[len(rest)-1].matches(a) {
			rest = rest[:len(rest)-1]
		}
	}
	return len(rest) == 0
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// The selector helper finds what the markup says, however it is spelled.
func TestPageSelectors(t *testing.T) {
	p := parseDoc(t, `<html><head><title>Error: New patient</title></head><body>
		<div class="nhsuk-error-summary"><ul><li><a href="#name">Enter a name</a></li></ul></div>
		<input id="name" name="name" value="Nia &amp; Co">
		<input type="radio" checked value="3" name="scores.phq9.items.1">
		<table><tr><th aria-sort="ascending"><a href="/?sort=phq9&amp;dir=desc">PHQ-9</a></th></tr></table>
		<nav><a href="/">  My
		caseload </a></nav></body></html>`)
	for _, tt := range []struct {
		sel  string
		want int
	}{
		{`.nhsuk-error-summary a[href="#name"]`, 1},
		{`#name`, 1},
		{`input[value="Nia & Co"]`, 1},
		{`input[name="scores.phq9.items.1"][value=3][checked]`, 1},
		{`input[name="scores.phq9.items.1"][value=2]`, 0},
		{`th[aria-sort=ascending] a[href="/?sort=phq9&dir=desc"]`, 1},
		{`th[aria-sort=descending] a`, 0},
		{`nav a`, 1},
		{`table a[href="/"]`, 0},
		{`input`, 2},
		{`a[href^="/?sort="]`, 1},
		{`a[href^="/admin/"]`, 0},
	} {
		if got := len(p.find(t, tt.sel)); got != tt.want {
			t.Errorf("%s: %d matches, want %d", tt.sel, got, tt.want)
		}
	}
	if !p.hasText(t, "a", "My caseload") || p.hasText(t, "a", "My") {
		t.Error("hasText does not read the link's words")
	}
	if got := p.title(t); got != "Error: New patient" {
		t.Errorf("title %q", got)
	}
}
