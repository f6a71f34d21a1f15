package stagelabel_test

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// reference is the project's reference of the behaviour it serves: the
// rules, their grades and their sources, which doc comments and tests cite.
const reference = "docs/semantics.md"

// sect is the sign that begins a citation, and retired the name of the
// notes the reference replaced, which are not in the repository: citing
// them is an error. Both are written as escapes, so that this file, which
// is checked with the rest, cites nothing and names nothing itself.
const (
	sect    = "\u00a7"
	retired = "\x53EMANTICS"
)

var (
	// A heading, and the letters of the section it opens, which it ends
	// with in brackets after the sign.
	headingRE = regexp.MustCompile(`^#{1,6} (.*)$`)
	sectionRE = regexp.MustCompile(`\(` + sect + `([A-Z]+)\)\s*$`)
	// A rule: a list item that begins with its id in bold after the sign
	// and its grade in brackets; its source is on a later line that begins
	// with the grade's word (sourceWord).
	ruleStartRE = regexp.MustCompile(`^- \*\*` + sect)
	ruleRE      = regexp.MustCompile(`^- \*\*` + sect + `([A-Z]+)([1-9][0-9]*)\*\* \[([RDM])\] \S`)
	// A citation: the sign, then a rule's letters and number, or a
	// section's letters alone; anything else after the sign (a bare number,
	// as the retired notes had) is an error.
	citationRE = regexp.MustCompile(sect + `([A-Za-z]*)([0-9]+(?:\.[0-9]+)*)?`)
	// A link to a heading of the reference.
	linkRE = regexp.MustCompile(`semantics\.md#([^)\s\]>"'` + "`" + `]*)`)
)

// sourceWord is the word that begins the source line of a rule of each
// grade.
var sourceWord = map[string]string{"R": "Recorded:", "D": "Documented:", "M": "Modeled:"}

// definitions is what the reference defines: section letters, rule ids
// (letters and number) and the anchors of its headings.
type definitions struct {
	sections, rules, anchors map[string]bool
}

// define reads the reference and returns what it defines, and the ways it
// breaks its own form: a rule without a grade, an id given twice, a rule
// outside its section, a rule whose source is not of its grade.
func define(text string) (definitions, []string) {
	defs := definitions{sections: map[string]bool{}, rules: map[string]bool{}, anchors: map[string]bool{}}
	var problems []string
	section := ""
	var id, idAt, word, body string // the rule being read, and where it begins
	closeRule := func() {
		if id != "" && !strings.Contains(body, "\n  "+word) {
			problems = append(problems, fmt.Sprintf("%s: %s%s has no source line beginning %q", idAt, sect, id, word))
		}
		id = ""
	}
	for i, line := range strings.Split(text, "\n") {
		at := fmt.Sprintf("%s:%d", reference, i+1)
		if m := headingRE.FindStringSubmatch(line); m != nil {
			closeRule()
			defs.anchors[anchor(m[1])] = true
			section = ""
			if s := sectionRE.FindStringSubmatch(m[1]); s != nil {
				section = s[1]
				if defs.sections[section] {
					problems = append(problems, fmt.Sprintf("%s: section %s%s opened twice", at, sect, section))
				}
				defs.sections[section] = true
			}
			continue
		}
		if !ruleStartRE.MatchString(line) {
			if id != "" {
				if strings.HasPrefix(line, "  ") {
					body += "\n" + line
				} else {
					closeRule()
				}
			}
			continue
		}
		closeRule()
		m := ruleRE.FindStringSubmatch(line)
		if m == nil {
			problems = append(problems, fmt.Sprintf("%s: a rule not of the form \"- **%sL2** [R|D|M] text\": %s", at, sect, line))
			continue
		}
		id, idAt, word, body = m[1]+m[2], at, sourceWord[m[3]], line
		switch {
		case defs.rules[id]:
			problems = append(problems, fmt.Sprintf("%s: %s%s defined twice", at, sect, id))
		case m[1] != section:
			problems = append(problems, fmt.Sprintf("%s: %s%s outside its section %s%s", at, sect, id, sect, m[1]))
		}
		defs.rules[id] = true
	}
	closeRule()
	return defs, problems
}

// anchor returns the anchor GitHub gives a heading: lower case, spaces as
// hyphens, every character but letters, digits, hyphens and underscores
// dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// citationProblems returns, for the files given (path to content), each
// citation of a rule or section that defs does not define, each link to an
// anchor it does not have, and each mention of the retired notes, in the
// order of paths and lines.
func citationProblems(defs definitions, files map[string]string) []string {
	var problems []string
	for _, path := range slices.Sorted(maps.Keys(files)) {
		for i, line := range strings.Split(files[path], "\n") {
			at := fmt.Sprintf("%s:%d", path, i+1)
			if strings.Contains(line, retired) {
				problems = append(problems, fmt.Sprintf("%s: cites %s.md, which the repository does not hold: cite %s", at, retired, reference))
			}
			for _, m := range citationRE.FindAllStringSubmatch(line, -1) {
				letters, number := m[1], m[2]
				if number == "" && defs.sections[letters] || number != "" && defs.rules[letters+number] {
					continue
				}
				problems = append(problems, fmt.Sprintf("%s: %q names no rule or section of %s", at, m[0], reference))
			}
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				if !defs.anchors[m[1]] {
					problems = append(problems, fmt.Sprintf("%s: %s has no heading #%s", at, reference, m[1]))
				}
			}
		}
	}
	return problems
}

// TestSemanticsCitations checks that docs/semantics.md has the form its
// introduction gives (every rule with an id, a grade and a source of that
// grade) and that every .go and .md file of the repository cites only the
// rules and sections it defines, and never the notes it replaced.
func TestSemanticsCitations(t *testing.T) {
	ref, err := os.ReadFile(reference)
	if err != nil {
		t.Fatal(err)
	}
	defs, problems := define(string(ref))
	if len(defs.rules) == 0 {
		t.Fatalf("%s defines no rule", reference)
	}
	files := map[string]string{}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".md" {
			return nil
		}
		b, err := os.ReadFile(path)
		files[filepath.ToSlash(path)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	problems = append(problems, citationProblems(defs, files)...)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestSemanticsChecks checks that the checks of TestSemanticsCitations
// catch what they are for, on a small reference and files made up here.
func TestSemanticsChecks(t *testing.T) {
	ref := strings.Join([]string{
		"# Reference",
		"## Labels (" + sect + "L)",
		"- **" + sect + "L1** [D] A label sits on one version.",
		"  Documented: API reference.",
		"- **" + sect + "L2** [M] Another rule,",
		"  on two lines.",
		"  Modeled: our choice.",
		"## Versions (" + sect + "V)",
		"- **" + sect + "V1** [R] A recorded rule.",
		"  Recorded: a test.",
	}, "\n")
	defs, problems := define(ref)
	if len(problems) > 0 {
		t.Fatalf("define() of a well-formed reference: %q", problems)
	}

	cites := []struct {
		name string
		line string
		bad  bool
	}{
		{"a rule the reference defines", "// as " + sect + "L2 says [M]", false},
		{"two rules and a section", "// (" + sect + "L1, " + sect + "V1; see " + sect + "L)", false},
		{"a link to a heading", "see [labels](" + reference + "#labels-l)", false},
		{"a rule the reference does not define", "// " + sect + "L3", true},
		{"a section the reference does not have", "// " + sect + "Q", true},
		{"a number without a section, as the old notes had", "// [" + sect + "5]", true},
		{"a numbered subsection, as the old notes had", "// " + sect + "1.5", true},
		{"the sign alone", "// " + sect + " 2", true},
		{"the retired notes by name", "// " + retired + ".md section 2", true},
		{"the retired notes by name, without .md", "// (" + retired + " 1)", true},
		{"a rule at the end of a sentence", "// as " + sect + "L1.", false},
		{"a link to no heading", "see " + reference + "#nothing-here", true},
	}
	for _, tt := range cites {
		t.Run(tt.name, func(t *testing.T) {
			got := citationProblems(defs, map[string]string{"x.go": tt.line})
			if bad := len(got) > 0; bad != tt.bad {
				t.Errorf("citationProblems(%q) = %q; want a problem: %v", tt.line, got, tt.bad)
			}
		})
	}

	forms := []struct {
		name string
		ref  string
		want int // problems
	}{
		{"a rule without a grade", "## Labels (" + sect + "L)\n- **" + sect + "L1** A rule.\n  Documented: x.", 1},
		{"a rule whose source is not of its grade", "## Labels (" + sect + "L)\n- **" + sect + "L1** [R] A rule.\n  Documented: x.", 1},
		{"a rule without a source", "## Labels (" + sect + "L)\n- **" + sect + "L1** [M] A rule.", 1},
		{"an id defined twice", "## Labels (" + sect + "L)\n- **" + sect + "L1** [M] A.\n  Modeled: x.\n- **" + sect + "L1** [M] B.\n  Modeled: y.", 1},
		{"a rule outside its section", "## Labels (" + sect + "L)\n- **" + sect + "V1** [M] A.\n  Modeled: x.", 1},
		{"a section opened twice", "## A (" + sect + "L)\n## B (" + sect + "L)", 1},
	}
	for _, tt := range forms {
		t.Run(tt.name, func(t *testing.T) {
			_, got := define(tt.ref)
			if diff := cmp.Diff(tt.want, len(got)); diff != "" {
				t.Errorf("define() problems %q, mismatch in number (-want +got):\n%s", got, diff)
			}
		})
	}
}
