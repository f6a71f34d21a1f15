package smtest_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/smtest"
	"github.com/stagelabel/stagelabel/store"
)

func TestClientAndStore(t *testing.T) {
	e := smtest.New(t)
	if !strings.HasPrefix(e.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q, want http://127.0.0.1:<port>", e.URL())
	}
	out, err := e.Client().CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
		Name: aws.String("prod/db"), SecretString: aws.String("s3cret"),
	})
	if err != nil {
		t.Fatalf("CreateSecret() = %v", err)
	}
	if arn := aws.ToString(out.ARN); !strings.HasPrefix(arn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-") {
		t.Errorf("CreateSecret() ARN = %s, want one of us-east-1 and 123456789012", arn)
	}
	// What a client did, the store holds; what the store does, a client sees.
	got, err := e.Store().GetSecretValue(store.GetSecretValueInput{SecretId: "prod/db"})
	if err != nil || got.SecretString == nil || *got.SecretString != "s3cret" {
		t.Errorf("Store().GetSecretValue() = %v, %v; want s3cret", got, err)
	}
	if _, err := e.Store().PutSecretValue(store.PutSecretValueInput{SecretId: "prod/db", ClientRequestToken: "22222222-2222-4222-8222-222222222222", SecretString: aws.String("next")}); err != nil {
		t.Fatal(err)
	}
	val, err := e.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	if err != nil || aws.ToString(val.SecretString) != "next" {
		t.Errorf("GetSecretValue() = %v, %v; want next", val, err)
	}
	if first, again := e.Client(), e.Client(); first != again {
		t.Error("Client() gave two clients")
	}
	if cfg := e.Config(); cfg.Region != "us-east-1" || aws.ToString(cfg.BaseEndpoint) != e.URL() {
		t.Errorf("Config() region %q, endpoint %q; want us-east-1 and %s", cfg.Region, aws.ToString(cfg.BaseEndpoint), e.URL())
	}
}

// TestConfigIgnoresEnvironment checks that a test's emulator is reached
// whatever the environment says of AWS.
func TestConfigIgnoresEnvironment(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://192.0.2.1:1")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://192.0.2.1:1")
	t.Setenv("AWS_REGION", "ap-south-1")
	t.Setenv("AWS_PROFILE", "no-such-profile")
	e := smtest.New(t)
	if _, err := e.Client().ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{}); err != nil {
		t.Errorf("ListSecrets() = %v", err)
	}
}

// TestStopsWithTheTest checks that the emulator of a test stops when the
// test ends, and not before: its subtests use it.
func TestStopsWithTheTest(t *testing.T) {
	var url string
	t.Run("test", func(t *testing.T) {
		e := smtest.New(t)
		url = e.URL()
		t.Run("subtest", func(t *testing.T) {
			if _, err := e.Client().ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{}); err != nil {
				t.Errorf("ListSecrets() in a subtest = %v", err)
			}
		})
	})
	client := &http.Client{Timeout: 5 * time.Second}
	if resp, err := client.Post(url, "application/x-amz-json-1.1", strings.NewReader("{}")); err == nil {
		resp.Body.Close()
		t.Errorf("POST %s after the test = %s, want the connection refused", url, resp.Status)
	}
}

// TestNamespaces checks that each request is served from the namespace of
// its signature's region and its 12-digit access key's account, others
// from the emulator's, as the emulator serves them.
func TestNamespaces(t *testing.T) {
	e := smtest.New(t, smtest.WithRegion("eu-west-1"), smtest.WithAccount("111122223333"))
	if got, want := e.Store().Namespace(), (store.Namespace{Account: "111122223333", Region: "eu-west-1"}); got != want {
		t.Errorf("Store().Namespace() = %v, want %v", got, want)
	}
	client := func(region, keyID string) *secretsmanager.Client {
		cfg := e.Config()
		cfg.Region = region
		if keyID != "" {
			cfg.Credentials = credentials.NewStaticCredentialsProvider(keyID, "secret", "")
		}
		return secretsmanager.NewFromConfig(cfg)
	}
	tests := []struct {
		name    string
		client  *secretsmanager.Client
		wantARN string
	}{
		{"the emulator's client", e.Client(), "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-"},
		{"another region", client("us-west-2", ""), "arn:aws:secretsmanager:us-west-2:111122223333:secret:db-"},
		{"a 12-digit key names the account", client("eu-west-1", "444455556666"), "arn:aws:secretsmanager:eu-west-1:444455556666:secret:db-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.client.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String(tt.name)})
			if err != nil || !strings.HasPrefix(aws.ToString(out.ARN), tt.wantARN) {
				t.Fatalf("CreateSecret() = %v, %v; want ARN %s…", out, err, tt.wantARN)
			}
			ns, _ := strings.CutPrefix(tt.wantARN, "arn:aws:secretsmanager:")
			region, account, _ := strings.Cut(strings.TrimSuffix(ns, ":secret:db-"), ":")
			st, err := e.Store().In(store.Namespace{Account: account, Region: region})
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.GetSecretValue(store.GetSecretValueInput{SecretId: "db"})
			if err != nil || *got.SecretString != tt.name {
				t.Errorf("the store of %s/%s: GetSecretValue() = %v, %v; want %q", region, account, got, err, tt.name)
			}
		})
	}
}

func TestAdvance(t *testing.T) {
	e := smtest.New(t)
	sm := e.Client()
	before := e.Now()
	if _, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("old"), SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	del, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("old"), RecoveryWindowInDays: aws.Int64(7)})
	if err != nil {
		t.Fatal(err)
	}
	after := e.Advance(7*24*time.Hour - time.Minute)
	if after.Sub(before) < 7*24*time.Hour-time.Minute {
		t.Errorf("Advance() = %v, want at least 7 days less a minute after %v", after, before)
	}
	if _, err := sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("old")}); err != nil {
		t.Errorf("DescribeSecret() a minute before its deletion date %v = %v", del.DeletionDate, err)
	}
	e.Advance(time.Minute)
	_, err = sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("old")})
	if !errors.As(err, new(*types.ResourceNotFoundException)) {
		t.Errorf("DescribeSecret() after its deletion date = %v, want ResourceNotFoundException", err)
	}
	if now := e.Now(); now.Before(after.Add(time.Minute)) {
		t.Errorf("Now() = %v, before the clock's last Advance %v", now, after.Add(time.Minute))
	}
}

// fatalTB records the first Fatalf and ends the goroutine, as a test's
// does.
type fatalTB struct {
	testing.TB
	mu    sync.Mutex
	fatal string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// fatal runs do with a fatalTB around t in a goroutine of its own and
// returns what it passed to Fatalf, "" for nothing.
func fatal(t *testing.T, do func(testing.TB)) string {
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		do(f)
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fatal
}

func TestFailsTheTest(t *testing.T) {
	loaded, err := store.Load(strings.NewReader(`{"Format":1,"Secrets":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func(testing.TB)
		want string // in the Fatalf message
	}{
		{"a region not shaped as AWS's", func(tb testing.TB) { smtest.New(tb, smtest.WithRegion("EU_WEST_1")) }, `region "EU_WEST_1"`},
		{"an account not of 12 digits", func(tb testing.TB) { smtest.New(tb, smtest.WithAccount("1")) }, `account "1"`},
		{"a clock moved back", func(tb testing.TB) { smtest.New(tb).Advance(-time.Second) }, "forward only"},
		{"the clock of a store given", func(tb testing.TB) { smtest.New(tb, smtest.WithStore(loaded)).Advance(time.Second) }, "WithStore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fatal(t, tt.do); !strings.Contains(got, tt.want) {
				t.Errorf("Fatalf(%q), want it to hold %q", got, tt.want)
			}
		})
	}
}

func TestWithStore(t *testing.T) {
	snapshot := `{"Format":1,"Secrets":[{"Name":"seeded","ARN":"arn:aws:secretsmanager:ap-south-1:210987654321:secret:seeded-AbCdEf",
		"Created":"2026-01-02T03:04:05Z","LastChanged":"2026-01-02T03:04:05Z",
		"Versions":[{"VersionId":"11111111-1111-4111-8111-111111111111","SecretString":"from the snapshot","Created":"2026-01-02T03:04:05Z"}],
		"Labels":{"AWSCURRENT":"11111111-1111-4111-8111-111111111111"}}]}`
	st, err := store.Load(strings.NewReader(snapshot), store.WithRegion("ap-south-1"), store.WithAccount("210987654321"))
	if err != nil {
		t.Fatal(err)
	}
	e := smtest.New(t, smtest.WithStore(st), smtest.WithRegion("us-east-1")) // the store's namespace wins
	if e.Store() != st {
		t.Error("Store() is not the store given")
	}
	got, err := e.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("seeded")})
	if err != nil || aws.ToString(got.SecretString) != "from the snapshot" {
		t.Errorf("GetSecretValue() = %v, %v; want the snapshot's value", got, err)
	}
}

func TestWithStoreOptions(t *testing.T) {
	var ops []string
	var mu sync.Mutex
	arn := func() string {
		e := smtest.New(t, smtest.WithStoreOptions(store.WithRandom(rand.NewChaCha8([32]byte{1})), store.WithObserver(func(ev store.Event) {
			mu.Lock()
			defer mu.Unlock()
			ops = append(ops, ev.Op)
		})))
		out, err := e.Client().CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ARN)
	}
	if a, b := arn(), arn(); a != b {
		t.Errorf("ARNs of two emulators with one seeded random source: %s and %s, want the same", a, b)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "CreateSecret CreateSecret"; strings.Join(ops, " ") != want {
		t.Errorf("observed %v, want %s", ops, want)
	}
}

func TestWithLogger(t *testing.T) {
	var buf bytes.Buffer
	e := smtest.New(t, smtest.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if _, err := e.Client().CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("s3cret")}); err != nil {
		t.Fatal(err)
	}
	if log := buf.String(); !strings.Contains(log, "op=CreateSecret secret=db status=200") || strings.Contains(log, "s3cret") {
		t.Errorf("log:\n%s\nwant a line for CreateSecret of db, without its value", log)
	}
}

// TestErrors checks that errors come back as the SDK's typed errors, with
// AWS's codes and messages, and that APIError gives the store's as
// smithy.APIError.
func TestErrors(t *testing.T) {
	e := smtest.New(t)
	sm := e.Client()
	_, err := sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) || notFound.ErrorMessage() != "Secrets Manager can't find the specified secret." {
		t.Errorf("GetSecretValue() of a missing secret = %v, want ResourceNotFoundException", err)
	}
	if apiErr := smtest.APIError(err); apiErr != smithy.APIError(notFound) {
		t.Errorf("APIError() of the SDK's error = %v, want the SDK's own %v", apiErr, notFound)
	}

	_, storeErr := e.Store().GetSecretValue(store.GetSecretValueInput{SecretId: "missing"})
	tests := []struct {
		name      string
		err       error
		wantCode  string
		wantFault smithy.ErrorFault
	}{
		{"the store's error", storeErr, "ResourceNotFoundException", smithy.FaultClient},
		{"the store's error, wrapped", fmt.Errorf("loading: %w", storeErr), "ResourceNotFoundException", smithy.FaultClient},
		{"an internal error", &stagelabel.Error{Op: "PutSecretValue", Code: stagelabel.ErrInternalService, Message: "The change could not be saved."}, "InternalServiceError", smithy.FaultServer},
		{"an SDK error", err, "ResourceNotFoundException", smithy.FaultClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiErr := smtest.APIError(tt.err)
			if apiErr == nil {
				t.Fatalf("APIError(%v) = nil", tt.err)
			}
			if apiErr.ErrorCode() != tt.wantCode || apiErr.ErrorFault() != tt.wantFault || apiErr.ErrorMessage() == "" {
				t.Errorf("APIError(%v) = code %s, fault %v, message %q; want %s, %v", tt.err, apiErr.ErrorCode(), apiErr.ErrorFault(), apiErr.ErrorMessage(), tt.wantCode, tt.wantFault)
			}
			if se := (*stagelabel.Error)(nil); !errors.As(tt.err, &se) {
				return // the SDK's: no stagelabel.Error inside
			}
			if !errors.Is(apiErr, stagelabel.Code(tt.wantCode)) {
				t.Errorf("errors.Is(APIError(%v), %s) = false, want it to unwrap to the store's error", tt.err, tt.wantCode)
			}
			if apiErr.Error() != (smtest.APIError(tt.err)).Error() || !strings.Contains(apiErr.Error(), tt.wantCode) {
				t.Errorf("APIError(%v).Error() = %q", tt.err, apiErr.Error())
			}
		})
	}
	for _, err := range []error{nil, errors.New("other")} {
		if apiErr := smtest.APIError(err); apiErr != nil {
			t.Errorf("APIError(%v) = %v, want nil", err, apiErr)
		}
	}
}

// TestParallel checks that the emulators of parallel tests share nothing.
func TestParallel(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			sm := smtest.New(t).Client()
			if _, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("same"), SecretString: aws.String(fmt.Sprint(i))}); err != nil {
				t.Fatal(err)
			}
			got, err := sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("same")})
			if err != nil || aws.ToString(got.SecretString) != fmt.Sprint(i) {
				t.Errorf("GetSecretValue() = %v, %v; want %d", got, err, i)
			}
		})
	}
}

func TestWithSeed(t *testing.T) {
	e := smtest.New(t, smtest.WithSeed("testdata/secrets.json"))
	got, err := e.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	if err != nil || aws.ToString(got.SecretString) != `{"user":"app","password":"s3cret"}` {
		t.Errorf("GetSecretValue(prod/db) = %v, %v; want the seed's value", got, err)
	}
	cfg := e.Config()
	cfg.Region = "eu-west-1"
	prev, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/api-key"), VersionStage: aws.String("AWSPREVIOUS")})
	if err != nil || aws.ToString(prev.SecretString) != "old" {
		t.Errorf("GetSecretValue(prod/api-key, AWSPREVIOUS) in eu-west-1 = %v, %v; want old", prev, err)
	}

	bad := t.TempDir() + "/bad.json"
	if err := os.WriteFile(bad, []byte(`{"Secrets": [{"Name": "bad name"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"testdata/missing.json": "no such file", bad: "Invalid name"} {
		if got := fatal(t, func(tb testing.TB) { smtest.New(tb, smtest.WithSeed(path)) }); !strings.Contains(got, want) {
			t.Errorf("New(WithSeed(%s)): Fatalf(%q), want it to hold %q", path, got, want)
		}
	}
}
