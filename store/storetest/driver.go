package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/store"
)

// The limits of the members the driver draws at, as their aws tags in
// package store state them (see [store.Validate]).
const (
	maxName        = 512
	maxDescription = 2048
	maxKMSKey      = 2048
	maxLambdaARN   = 2048
	maxValue       = 65536 // bytes
	maxTagKey      = 128
	maxTagValue    = 256
)

// driver applies random operations to a store, with inputs at the edges
// of what the API accepts. Most are accepted; the rest fail, changing
// nothing. A failure of the backend fails the test.
type driver struct {
	st *store.Store
	c  *clock
}

func (d *driver) step(rt *rapid.T) {
	id := d.name(rt)
	var err error
	switch op := rapid.IntRange(0, 14).Draw(rt, "op"); op {
	case 0, 1:
		in := store.CreateSecretInput{Name: id, ClientRequestToken: token(rt), Description: text(rt, maxDescription, "description"), Tags: tags(rt),
			KmsKeyId: text(rt, maxKMSKey, "kms key")}
		in.SecretString, in.SecretBinary = value(rt, true)
		_, err = d.st.CreateSecret(in)
	case 2, 3:
		in := store.PutSecretValueInput{SecretId: id, ClientRequestToken: token(rt)}
		for in.SecretString == nil && in.SecretBinary == nil {
			in.SecretString, in.SecretBinary = value(rt, false)
		}
		if rapid.Bool().Draw(rt, "stages given") {
			in.VersionStages = rapid.SliceOfNDistinct(label(rt), 1, 3, func(s string) string { return s }).Draw(rt, "stages")
		}
		_, err = d.st.PutSecretValue(in)
	case 4:
		in := store.UpdateSecretInput{SecretId: id, ClientRequestToken: token(rt)}
		if rapid.Bool().Draw(rt, "describe") {
			description := text(rt, maxDescription, "description")
			in.Description = &description
		}
		if rapid.Bool().Draw(rt, "rekey") {
			key := text(rt, maxKMSKey, "kms key")
			in.KmsKeyId = &key
		}
		in.SecretString, in.SecretBinary = value(rt, true)
		_, err = d.st.UpdateSecret(in)
	case 5:
		in := store.UpdateSecretVersionStageInput{SecretId: id, VersionStage: label(rt).Draw(rt, "label")}
		if ids := d.versions(id); len(ids) > 0 {
			in.MoveToVersionId = rapid.SampledFrom(ids).Draw(rt, "to")
			in.RemoveFromVersionId = rapid.SampledFrom(append(ids, "")).Draw(rt, "from")
		}
		_, err = d.st.UpdateSecretVersionStage(in)
	case 6:
		_, err = d.st.GetSecretValue(store.GetSecretValueInput{SecretId: id})
	case 7:
		in := store.RotateSecretInput{SecretId: id, ClientRequestToken: token(rt), RotationLambdaARN: text(rt, maxLambdaARN, "lambda")}
		if rapid.Bool().Draw(rt, "rules") {
			days := rapid.SampledFrom([]int64{1, 1000}).Draw(rt, "days")
			in.RotationRules = &store.RotationRules{AutomaticallyAfterDays: &days,
				Duration:           rapid.SampledFrom([]string{"", "2h", "24h"}).Draw(rt, "duration"),
				ScheduleExpression: schedule(rt)}
		}
		immediately := rapid.Bool().Draw(rt, "immediately")
		in.RotateImmediately = &immediately
		_, err = d.st.RotateSecret(in)
	case 8:
		_, err = d.st.CancelRotateSecret(store.CancelRotateSecretInput{SecretId: id})
	case 9:
		in := store.DeleteSecretInput{SecretId: id}
		if rapid.Bool().Draw(rt, "force") {
			in.ForceDeleteWithoutRecovery = true
		} else {
			days := rapid.SampledFrom([]int64{store.MinRecoveryDays, store.MaxRecoveryDays}).Draw(rt, "window")
			in.RecoveryWindowInDays = &days
		}
		_, err = d.st.DeleteSecret(in)
	case 10:
		_, err = d.st.RestoreSecret(store.RestoreSecretInput{SecretId: id})
	case 11:
		_, err = d.st.TagResource(store.TagResourceInput{SecretId: id, Tags: tags(rt)})
	case 12:
		var keys []string
		for _, t := range tags(rt) {
			keys = append(keys, t.Key)
		}
		_, err = d.st.UntagResource(store.UntagResourceInput{SecretId: id, TagKeys: keys})
	case 13:
		if rapid.Bool().Draw(rt, "put policy") {
			policy, _ := json.Marshal(map[string]string{"Statement": text(rt, 1000, "statement")})
			_, err = d.st.PutResourcePolicy(store.PutResourcePolicyInput{SecretId: id, ResourcePolicy: string(policy)})
		} else {
			_, err = d.st.DeleteResourcePolicy(store.DeleteResourcePolicyInput{SecretId: id})
		}
	case 14:
		d.c.advance(time.Duration(rapid.SampledFrom([]int{0, 1, 23, 25, 24 * 8, 24 * 31}).Draw(rt, "hours")) * time.Hour)
	}
	if errors.Is(err, stagelabel.ErrInternalService) {
		rt.Fatalf("the backend failed: %v", err)
	}
}

// name draws a secret name: a few short ones, so that operations meet,
// and one at the length limit.
func (d *driver) name(rt *rapid.T) string {
	return rapid.SampledFrom([]string{"db", "prod/api-key", "a.b@c+d=e_f-g", strings.Repeat("n/", maxName/2)}).Draw(rt, "name")
}

// versions returns the ids of the versions of secret id.
func (d *driver) versions(id string) []string {
	s, err := d.st.Export(id)
	if err != nil {
		return nil
	}
	var ids []string
	for _, v := range s.Versions {
		ids = append(ids, v.VersionId)
	}
	return ids
}

// token draws a ClientRequestToken of 32 to 64 characters, some of them
// beyond ASCII.
func token(rt *rapid.T) string {
	n := rapid.IntRange(0, 5).Draw(rt, "token")
	return fmt.Sprintf("%s%02d", edge(rt, rapid.SampledFrom([]int{30, 62}).Draw(rt, "token length"), "token char"), n)
}

// value draws a SecretString or SecretBinary, at times at the 65,536-byte
// limit; with optional, at times neither.
func value(rt *rapid.T, optional bool) (*string, []byte) {
	switch rapid.IntRange(0, 5).Draw(rt, "value kind") {
	case 0:
		if optional {
			return nil, nil
		}
		fallthrough
	case 1:
		s := rapid.StringN(1, 40, -1).Draw(rt, "string")
		return &s, nil
	case 2: // 65,536 bytes of characters 1, 2 or 4 bytes long
		c := rapid.SampledFrom([]string{"a", "é", "😀"}).Draw(rt, "string char")
		s := strings.Repeat(c, maxValue/len(c))
		return &s, nil
	case 3:
		return nil, rapid.SliceOfN(rapid.Byte(), 1, 64).Draw(rt, "binary")
	case 4:
		b := make([]byte, maxValue)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return nil, b
	}
	s := "\x00"
	return &s, nil
}

// label draws a staging label: AWS's, a custom one, or one of 256
// characters.
func label(rt *rapid.T) *rapid.Generator[string] {
	return rapid.Custom(func(rt *rapid.T) string {
		switch rapid.IntRange(0, 4).Draw(rt, "label kind") {
		case 0:
			return "AWSCURRENT"
		case 1:
			return "AWSPENDING"
		case 2:
			return "AWSPREVIOUS"
		case 3:
			return edge(rt, 256, "label")
		}
		return rapid.StringN(1, 20, -1).Draw(rt, "label")
	})
}

// schedule draws a ScheduleExpression: none, one AWS documents, or one of
// 1 to 256 characters of those its pattern allows.
func schedule(rt *rapid.T) string {
	switch rapid.IntRange(0, 2).Draw(rt, "schedule kind") {
	case 0:
		return ""
	case 1:
		return rapid.SampledFrom([]string{"rate(10 days)", "rate(4 hours)", "cron(0 16 1,15 * ? *)"}).Draw(rt, "schedule")
	}
	n := rapid.SampledFrom([]int{1, 17, 256}).Draw(rt, "schedule length")
	return string(rapid.SliceOfN(rapid.SampledFrom([]rune("09AZaz()#?*-/, ")), n, n).Draw(rt, "schedule chars"))
}

// tags draws up to three tags, keys and values at their limits at times.
func tags(rt *rapid.T) []store.Tag {
	var out []store.Tag
	for range rapid.IntRange(0, 3).Draw(rt, "tags") {
		key := text(rt, maxTagKey, "tag key")
		if key == "" {
			key = "k"
		}
		out = append(out, store.Tag{Key: key, Value: text(rt, maxTagValue, "tag value")})
	}
	return out
}
