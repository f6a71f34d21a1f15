package conformance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// read is what a test compares of a SecretValueEntry.
type read struct {
	Name, VersionId, SecretString string
	VersionStages                 []string
}

// batch returns the secrets the SDK's paginator reads for in, page by
// page, and the errors it reports, each entry as its members.
func batch(t *testing.T, c *secretsmanager.Client, in *secretsmanager.BatchGetSecretValueInput) ([]read, []apiErrorEntry) {
	t.Helper()
	reads, errs := []read{}, []apiErrorEntry{}
	for p := secretsmanager.NewBatchGetSecretValuePaginator(c, in); p.HasMorePages(); {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("BatchGetSecretValue(%v, filters %v) = %v", in.SecretIdList, in.Filters, err)
		}
		for _, v := range out.SecretValues {
			if !v.CreatedDate.Equal(t0) || aws.ToString(v.ARN) == "" {
				t.Errorf("entry %s: CreatedDate %v, ARN %q", aws.ToString(v.Name), v.CreatedDate, aws.ToString(v.ARN))
			}
			reads = append(reads, read{aws.ToString(v.Name), aws.ToString(v.VersionId), aws.ToString(v.SecretString), v.VersionStages})
		}
		for _, e := range out.Errors {
			errs = append(errs, apiErrorEntry{aws.ToString(e.SecretId), aws.ToString(e.ErrorCode), aws.ToString(e.Message)})
		}
	}
	return reads, errs
}

// apiErrorEntry is an entry of BatchGetSecretValue's Errors.
type apiErrorEntry struct {
	SecretId, ErrorCode, Message string
}

// TestBatchGetSecretValue checks BatchGetSecretValue through the SDK and
// its paginator: by id, in the order given, each secret not read an error
// entry; by filters, page by page; and the errors of the call as the SDK's
// typed errors.
func TestBatchGetSecretValue(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	arn := mustCreate(t, c, "prod/db", v1, "one")
	mustPut(t, c, "prod/db", v2, "two")
	mustCreate(t, c, "prod/api", v1, "key")
	mustCreate(t, c, "prod/empty", v1, "")
	mustCreate(t, c, "dev/db", v1, "dev")
	mustCreate(t, c, "prod/gone", v1, "gone")
	if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("prod/gone")}); err != nil {
		t.Fatalf("DeleteSecret() = %v", err)
	}
	db := read{"prod/db", v2, "two", []string{"AWSCURRENT"}}
	api := read{"prod/api", v1, "key", []string{"AWSCURRENT"}}
	noValue := "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"

	reads, errs := batch(t, c, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"prod/api", arn, "nope", "prod/gone", "prod/empty", "Inv Name"}})
	if diff := cmp.Diff([]read{api, db}, reads); diff != "" {
		t.Errorf("BatchGetSecretValue(ids) values mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]apiErrorEntry{
		{"nope", "ResourceNotFoundException", msgNoSecret},
		{"prod/gone", "InvalidRequestException", msgMarkedForDeletion},
		{"prod/empty", "ResourceNotFoundException", noValue},
		{"Inv Name", "ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
	}, errs); diff != "" {
		t.Errorf("BatchGetSecretValue(ids) errors mismatch (-want +got):\n%s", diff)
	}

	// By filters, a page of one at a time: the secrets ListSecrets lists,
	// without the one scheduled for deletion, oldest first (all made at
	// t0, so by name).
	prod := []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"prod/"}}}
	reads, errs = batch(t, c, &secretsmanager.BatchGetSecretValueInput{Filters: prod, MaxResults: aws.Int32(1)})
	if diff := cmp.Diff([]read{api, db}, reads); diff != "" {
		t.Errorf("BatchGetSecretValue(name prod/) values mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]apiErrorEntry{{"prod/empty", "ResourceNotFoundException", noValue}}, errs); diff != "" {
		t.Errorf("BatchGetSecretValue(name prod/) errors mismatch (-want +got):\n%s", diff)
	}

	// The reads were reads: LastAccessedDate is today.
	d, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/api")})
	if err != nil || d.LastAccessedDate == nil || !d.LastAccessedDate.Equal(t0.Truncate(24*time.Hour)) {
		t.Errorf("DescribeSecret(prod/api) after BatchGetSecretValue: LastAccessedDate %v, %v", d.LastAccessedDate, err)
	}

	ctx := t.Context()
	call := func(in *secretsmanager.BatchGetSecretValueInput) error {
		_, err := c.BatchGetSecretValue(ctx, in)
		return err
	}
	for _, tt := range []struct {
		name string
		in   *secretsmanager.BatchGetSecretValueInput
		code string
		msg  string
	}{
		{"both SecretIdList and Filters", &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"prod/db"}, Filters: prod},
			"InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both."},
		{"neither", &secretsmanager.BatchGetSecretValueInput{},
			"InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both."},
		{"MaxResults without Filters", &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"prod/db"}, MaxResults: aws.Int32(5)},
			"InvalidParameterException", "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."},
		{"MaxResults 21", &secretsmanager.BatchGetSecretValueInput{Filters: prod, MaxResults: aws.Int32(21)}, "ValidationException",
			"1 validation error detected: Value '21' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20"},
		{"21 ids", &secretsmanager.BatchGetSecretValueInput{SecretIdList: twentyOne()}, "ValidationException",
			fmt.Sprintf("1 validation error detected: Value '%v' at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20", twentyOneShown())},
		{"a NextToken no listing gave", &secretsmanager.BatchGetSecretValueInput{Filters: prod, NextToken: aws.String("!")},
			"InvalidNextTokenException", "The NextToken value is invalid."},
	} {
		t.Run(tt.name, func(t *testing.T) { checkError(t, call(tt.in), tt.code, tt.msg) })
	}
}

func twentyOne() []string {
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = fmt.Sprintf("s%d", i)
	}
	return ids
}

// twentyOneShown is twentyOne as AWS shows a list in a validation message.
func twentyOneShown() string {
	s := "["
	for i, id := range twentyOne() {
		if i > 0 {
			s += ", "
		}
		s += id
	}
	return s + "]"
}

// TestValidateResourcePolicy checks ValidateResourcePolicy through the
// SDK: a policy that passes, the checks one fails, and the errors of the
// call as the SDK's typed errors.
func TestValidateResourcePolicy(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	mustCreate(t, c, "db", v1, "one")
	// The example of the API reference.
	const example = "{\n\"Version\":\"2012-10-17\",\n\"Statement\":[{\n\"Effect\":\"Allow\",\n\"Principal\":{\n\"AWS\":\"arn:aws:iam::123456789012:root\"\n},\n\"Action\":\"secretsmanager:GetSecretValue\",\n\"Resource\":\"*\"\n}]\n}"
	const lockout = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}`
	type result struct {
		Passed bool
		Errors []types.ValidationErrorsEntry
	}
	for _, tt := range []struct {
		name, secretID, policy string
		want                   result
	}{
		{"the API reference's example", "db", example, result{true, []types.ValidationErrorsEntry{}}},
		{"without a SecretId", "", example, result{true, []types.ValidationErrorsEntry{}}},
		{"the user guide's lockout", "db", lockout, result{false, []types.ValidationErrorsEntry{{CheckName: aws.String("LockoutCheck"),
			ErrorMessage: aws.String("Your requested changes will not allow you to manage this secret in the future.")}}}},
	} {
		out, err := c.ValidateResourcePolicy(t.Context(), &secretsmanager.ValidateResourcePolicyInput{SecretId: optional(tt.secretID), ResourcePolicy: aws.String(tt.policy)})
		if err != nil {
			t.Fatalf("%s: ValidateResourcePolicy() = %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, result{out.PolicyValidationPassed, out.ValidationErrors}, cmpopts.IgnoreUnexported(types.ValidationErrorsEntry{})); diff != "" {
			t.Errorf("%s: ValidateResourcePolicy() mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	if out, err := c.GetResourcePolicy(t.Context(), &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("db")}); err != nil || out.ResourcePolicy != nil {
		t.Errorf("GetResourcePolicy() after validating = %v, %v; want no policy attached", out, err)
	}

	_, err := c.ValidateResourcePolicy(t.Context(), &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String("{")})
	if e, ok := as[*types.MalformedPolicyDocumentException](err); !ok || e.ErrorMessage() != "This resource policy contains a syntax error." {
		t.Errorf("ValidateResourcePolicy(malformed) = %v (%T), want *types.MalformedPolicyDocumentException", err, err)
	}
	_, err = c.ValidateResourcePolicy(t.Context(), &secretsmanager.ValidateResourcePolicyInput{SecretId: aws.String("Inv Name"), ResourcePolicy: aws.String(example)})
	checkError(t, err, "ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	_, err = c.ValidateResourcePolicy(t.Context(), &secretsmanager.ValidateResourcePolicyInput{SecretId: aws.String("nope"), ResourcePolicy: aws.String(example)})
	checkError(t, err, "ResourceNotFoundException", msgNoSecret)
}
