package awsjson

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

// TestWire holds the member rules the outputs' tags state, as the handler
// encodes them: zero members left out [R], times as epoch seconds with
// their fraction [R], SecretBinary as base64 [R], map keys sorted, an empty
// list that AWS sends kept [R], and a tag's empty Value sent [M].
func TestWire(t *testing.T) {
	at := store.Time{Time: time.Unix(1523477145, 713_000_000)}
	for _, c := range []struct {
		name string
		out  any
		want string
	}{
		{"zero members left out", store.DescribeSecretOutput{SecretDetails: store.SecretDetails{ARN: "a", Name: "n"}},
			`{"ARN":"a","Name":"n"}`},
		{"times as epoch seconds", store.DeleteSecretOutput{ARN: "a", Name: "n", DeletionDate: at},
			`{"ARN":"a","Name":"n","DeletionDate":1523477145.713}`},
		{"binary as base64", store.GetSecretValueOutput{VersionId: "v", SecretBinary: []byte{0, 255}},
			`{"VersionId":"v","SecretBinary":"AP8="}`},
		{"map keys sorted", store.DescribeSecretOutput{VersionIdsToStages: map[string][]string{"b": {"2"}, "a": {"1"}}},
			`{"VersionIdsToStages":{"a":["1"],"b":["2"]}}`},
		{"an empty list kept", store.ListSecretVersionIdsOutput{Versions: []store.SecretVersionsListEntry{}},
			`{"Versions":[]}`},
		{"a tag's empty value sent", store.DescribeSecretOutput{SecretDetails: store.SecretDetails{Tags: []store.Tag{{Key: "k"}}}},
			`{"Tags":[{"Key":"k","Value":""}]}`},
		{"no HTML escapes", store.GetSecretValueOutput{Name: "<&>"},
			`{"Name":"<&>"}`},
	} {
		w := httptest.NewRecorder()
		new(Handler).respond(w, c.out, nil)
		if got := w.Body.String(); got != c.want+"\n" {
			t.Errorf("%s: %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestGivenIn checks how the handler tells an optional member given empty
// from one not given: by its path in the body, names matched as
// encoding/json matches them, list items counted from 1, null not given.
func TestGivenIn(t *testing.T) {
	body := []byte(`{"ClientRequestToken":"","versionid":"","Nothing":null,"RotationRules":{"Duration":""},"Filters":[{"Key":"name"},{"Key":""}]}`)
	given := givenIn(body)
	for path, want := range map[string]bool{
		"clientRequestToken":     true,
		"versionId":              true,
		"nothing":                false,
		"versionStage":           false,
		"rotationRules.duration": true,
		"rotationRules.schedule": false,
		"filters.2.member.key":   true,
		"filters.3.member.key":   false,
		"filters.0.member.key":   false,
		"filters.x.member.key":   false,
		"clientRequestToken.a":   false,
	} {
		if got := given(path); got != want {
			t.Errorf("given(%q) = %v, want %v", path, got, want)
		}
	}
	if givenIn([]byte(`{"SecretString":"a\"b"}`)) != nil {
		t.Error(`a body without "" may give a member empty`)
	}
}
