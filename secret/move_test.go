package secret_test

import (
	"strings"
	"testing"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/stage"
	"github.com/stagelabel/stagelabel/version"
)

// twenty is a layout carrying 20 labels: AWSCURRENT and L1 to L19.
func twenty(extra string) string {
	var ls []string
	for i := 1; i <= 19; i++ {
		ls = append(ls, "L"+string(rune('A'+i)))
	}
	return "v1{C," + strings.Join(ls, ",") + "} " + extra
}

func TestMoveLabel(t *testing.T) {
	v1, v2, v3 := id("v1"), id("v2"), id("v3")
	tests := []struct {
		rule, name string
		layout     string
		label      stage.Label
		from, to   version.ID
		want       string // the layout after, when the call succeeds
		code       stagelabel.Code
		msg        string
	}{
		{"2.1", "unattached label is added to moveTo", "v1{C} v2{}", "X", "", v2, "v1{C} v2{X}", "", ""},
		{"2.1", "added beside moveTo's labels, not replacing them", "v1{C} v2{Y}", "X", "", v2, "v1{C} v2{X,Y}", "", ""},
		{"2.1", "labels beginning with AWS are custom labels", "v1{C}", "AWSSOMETHING", "", v1, "v1{C,AWSSOMETHING}", "", ""},
		{"2.2", "AWSCURRENT held elsewhere needs removeFrom", "v1{C} v2{}", stage.Current, "", v2, "",
			stagelabel.ErrInvalidParameter, "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version " + string(v1) + ", so you must explicitly reference that version in RemoveFromVersionId."},
		{"2.2", "a custom label held elsewhere needs removeFrom", "v1{C,X} v2{}", "X", "", v2, "",
			stagelabel.ErrInvalidParameter, "The parameter RemoveFromVersionId can't be empty. Staging label X is currently attached to version " + string(v1) + ", so you must explicitly reference that version in RemoveFromVersionId."},
		{"2.2", "AWSPENDING held elsewhere needs removeFrom", "v1{C} v2{PEND}", stage.Pending, "", v1, "",
			stagelabel.ErrInvalidParameter, "The parameter RemoveFromVersionId can't be empty. Staging label AWSPENDING is currently attached to version " + string(v2) + ", so you must explicitly reference that version in RemoveFromVersionId."},
		{"2.3", "a label moves when removeFrom is its holder", "v1{C,X} v2{}", "X", v1, v2, "v1{C} v2{X}", "", ""},
		{"2.4", "removeFrom naming another version fails", "v1{C,X} v2{} v3{}", "X", v2, v3, "",
			stagelabel.ErrInvalidParameter, "Staging label X is not attached to version " + string(v2) + "."},
		{"2.4", "removing from a version that does not hold it fails", "v1{C,X} v2{}", "X", v2, "", "",
			stagelabel.ErrInvalidParameter, "Staging label X is not attached to version " + string(v2) + "."},
		{"2.5", "AWSCURRENT moves, the old current gets AWSPREVIOUS, AWSPENDING stays", "v1{C} v2{PEND}", stage.Current, v1, v2, "v1{P} v2{C,PEND}", "", ""},
		{"2.5", "the old AWSPREVIOUS holder loses only AWSPREVIOUS", "v1{P,Y} v2{C,X} v3{PEND}", stage.Current, v2, v3, "v1{Y} v2{P,X} v3{C,PEND}", "", ""},
		{"2.5", "the old AWSPREVIOUS holder may become deprecated", "v1{P} v2{C} v3{}", stage.Current, v2, v3, "v1{} v2{P} v3{C}", "", ""},
		{"2.5", "AWSPENDING on the old current stays there", "v1{C,PEND} v2{}", stage.Current, v1, v2, "v1{PEND,P} v2{C}", "", ""},
		{"2.6", "AWSCURRENT onto the AWSPREVIOUS holder swaps them", "v1{C} v2{P}", stage.Current, v1, v2, "v1{P} v2{C}", "", ""},
		{"2.7", "AWSCURRENT cannot be removed", "v1{C} v2{}", stage.Current, v1, "", "",
			stagelabel.ErrInvalidParameter, "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."},
		{"2.7", "AWSCURRENT cannot be removed even from a version without it", "v1{C} v2{}", stage.Current, v2, "", "",
			stagelabel.ErrInvalidParameter, "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."},
		{"2.8", "a custom label is removed, others stay", "v1{C,X,Y}", "X", v1, "", "v1{C,Y}", "", ""},
		{"2.8", "a version left without labels is deprecated", "v1{C} v2{PEND}", stage.Pending, v2, "", "v1{C} v2{}", "", ""},
		{"2.8", "AWSPREVIOUS can be removed", "v1{P} v2{C}", stage.Previous, v1, "", "v1{} v2{C}", "", ""},
		{"2.9", "a label already on moveTo without removeFrom: no change", "v1{C} v2{X}", "X", "", v2, "v1{C} v2{X}", "", ""},
		{"2.9", "a label already on moveTo with removeFrom = moveTo: no change", "v1{C} v2{X}", "X", v2, v2, "v1{C} v2{X}", "", ""},
		{"2.9", "AWSCURRENT already on moveTo: no change, no AWSPREVIOUS", "v1{C} v2{}", stage.Current, "", v1, "v1{C} v2{}", "", ""},
		{"2.9", "a label on moveTo with removeFrom elsewhere fails", "v1{C} v2{X}", "X", v1, v2, "",
			stagelabel.ErrInvalidParameter, "Staging label X is not attached to version " + string(v1) + "."},
		{"2.10", "AWSCURRENT moved when none holds it: no AWSPREVIOUS", "v1?{PEND}", stage.Current, "", v1, "v1?{C,PEND}", "", ""},
		{"2.11", "removeFrom given but the label is nowhere", "v1{C} v2{}", "X", v1, v2, "",
			stagelabel.ErrInvalidParameter, "Staging label X is not attached to version " + string(v1) + "."},
		{"2.11", "removing a label that is nowhere", "v1{C}", "X", v1, "", "",
			stagelabel.ErrInvalidParameter, "Staging label X is not attached to version " + string(v1) + "."},
		{"2.12", "neither removeFrom nor moveTo", "v1{C}", "X", "", "", "",
			stagelabel.ErrInvalidParameter, "You must specify RemoveFromVersionId, MoveToVersionId, or both."},
		{"2.13", "moveTo of no version", "v1{C}", "X", "", v2, "",
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: " + string(v2)},
		{"2.13", "removeFrom of no version", "v1{C,X}", "X", v2, v1, "",
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: " + string(v2)},
		{"2.13", "removeFrom is checked before moveTo", "v1{C}", "X", v2, v3, "",
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: " + string(v2)},
		{"2.13", "no version: AWSCURRENT without moveTo still reports the id", "v1{C}", stage.Current, v2, "", "",
			stagelabel.ErrResourceNotFound, "Secrets Manager can't find the specified secret value for VersionId: " + string(v2)},
		{"2.14", "a 21st label", twenty("v2{}"), "X", "", id("v2"), "",
			stagelabel.ErrLimitExceeded, "You can attach up to 20 staging labels to a secret."},
		{"2.14", "an automatic AWSPREVIOUS as the 21st label", twenty("v2{}"), stage.Current, v1, id("v2"), "",
			stagelabel.ErrLimitExceeded, "You can attach up to 20 staging labels to a secret."},
		{"2.14", "moving one of 20 labels is fine", twenty("v2{}"), "LB", v1, id("v2"), strings.Replace(twenty("v2{LB}"), ",LB,", ",", 1), "", ""},
		{"2.17", "empty label", "v1{C}", "", "", v1, "",
			stagelabel.ErrValidation, "1 validation error detected: Value '' at 'versionStage' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"2.17", "label of 257 characters", "v1{C}", stage.Label(strings.Repeat("x", 257)), "", v1, "",
			stagelabel.ErrValidation, "1 validation error detected: Value '" + strings.Repeat("x", 257) + "' at 'versionStage' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"2.17", "short removeFrom and long moveTo", "v1{C}", "X", "abc", version.ID(strings.Repeat("y", 65)), "",
			stagelabel.ErrValidation, "2 validation errors detected: Value 'abc' at 'removeFromVersionId' failed to satisfy constraint: Member must have length greater than or equal to 32; Value '" + strings.Repeat("y", 65) + "' at 'moveToVersionId' failed to satisfy constraint: Member must have length less than or equal to 64"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" "+tt.name, func(t *testing.T) {
			s := build(t, tt.layout)
			before := layout(s)
			got, err := s.MoveLabel(tt.label, tt.from, tt.to)
			checkCall(t, "MoveLabel", s, before, got, err, outcome{tt.want, tt.code, tt.msg})
		})
	}
}
