package rotationtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/jackc/pgx/v5"
)

// excludeCharacters are the characters AWS's templates keep out of new
// passwords when EXCLUDE_CHARACTERS is not set.
const excludeCharacters = `/@"'\`

// singleUser is a rotation function for a PostgreSQL user that changes
// its own password, step for step AWS's template
// SecretsManagerRDSPostgreSQLRotationSingleUser (lambda_function.py),
// with pgx where the template uses psycopg or pg8000.
type singleUser struct {
	sm *secretsmanager.Client
}

// Handle is the function's handler, for lambda.NewHandler: it checks the
// event's version as the template's lambda_handler does, then performs
// its step.
func (f *singleUser) Handle(ctx context.Context, e events.SecretsManagerSecretRotationEvent) error {
	arn, token := e.SecretID, e.ClientRequestToken
	meta, err := f.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		return err
	}
	if meta.RotationEnabled != nil && !*meta.RotationEnabled {
		return fmt.Errorf("secret %s is not enabled for rotation", arn)
	}
	stages, ok := meta.VersionIdsToStages[token]
	switch {
	case !ok:
		return fmt.Errorf("secret version %s has no stage for rotation of secret %s", token, arn)
	case slices.Contains(stages, "AWSCURRENT"):
		return nil // already current
	case !slices.Contains(stages, "AWSPENDING"):
		return fmt.Errorf("secret version %s not set as AWSPENDING for rotation of secret %s", token, arn)
	}
	switch e.Step {
	case "createSecret":
		return f.createSecret(ctx, arn, token)
	case "setSecret":
		return f.setSecret(ctx, arn, token)
	case "testSecret":
		return f.testSecret(ctx, arn, token)
	case "finishSecret":
		return f.finishSecret(ctx, arn, token, meta.VersionIdsToStages)
	}
	return fmt.Errorf("invalid step parameter %q", e.Step)
}

// createSecret puts the value of AWSCURRENT with a new password as the
// version token, labelled AWSPENDING, unless that version has a value.
func (f *singleUser) createSecret(ctx context.Context, arn, token string) error {
	current, err := f.secret(ctx, arn, "AWSCURRENT", "")
	if err != nil {
		return err
	}
	_, err = f.secret(ctx, arn, "AWSPENDING", token)
	if notFound := (*types.ResourceNotFoundException)(nil); !errors.As(err, &notFound) {
		return err // nil: created by an earlier attempt
	}
	pw, err := f.sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{ExcludeCharacters: aws.String(excludeCharacters)})
	if err != nil {
		return err
	}
	current["password"] = aws.ToString(pw.RandomPassword)
	value, err := json.Marshal(current)
	if err != nil {
		return err
	}
	_, err = f.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(arn), ClientRequestToken: aws.String(token),
		SecretString: aws.String(string(value)), VersionStages: []string{"AWSPENDING"},
	})
	return err
}

// setSecret sets the user's password to the pending one, logged in with
// the current password (or the previous one); nothing when the pending
// password logs in already.
func (f *singleUser) setSecret(ctx context.Context, arn, token string) error {
	current, err := f.secret(ctx, arn, "AWSCURRENT", "")
	if err != nil {
		return err
	}
	pending, err := f.secret(ctx, arn, "AWSPENDING", token)
	if err != nil {
		return err
	}
	if conn, err := connect(ctx, pending); err == nil {
		return conn.Close(ctx)
	}
	if current["username"] != pending["username"] {
		return fmt.Errorf("attempting to modify user %v other than current user %v", pending["username"], current["username"])
	}
	if current["host"] != pending["host"] {
		return fmt.Errorf("attempting to modify user for host %v other than current host %v", pending["host"], current["host"])
	}
	conn, err := connect(ctx, current)
	if err != nil {
		if previous, perr := f.secret(ctx, arn, "AWSPREVIOUS", ""); perr == nil {
			conn, err = connect(ctx, previous)
		}
	}
	if err != nil {
		return fmt.Errorf("unable to log into database with previous, current, or pending secret of secret arn %s: %w", arn, err)
	}
	defer conn.Close(ctx)
	// The template quotes the name with quote_ident and passes the
	// password as a parameter; ALTER takes no parameters, so the server
	// quotes both.
	var alter string
	if err := conn.QueryRow(ctx, "SELECT format('ALTER USER %I WITH PASSWORD %L', $1::text, $2::text)", pending["username"], pending["password"]).Scan(&alter); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, alter)
	return err
}

// testSecret logs in with the pending password.
func (f *singleUser) testSecret(ctx context.Context, arn, token string) error {
	pending, err := f.secret(ctx, arn, "AWSPENDING", token)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, pending)
	if err != nil {
		return fmt.Errorf("unable to log into database with pending secret of secret ARN %s: %w", arn, err)
	}
	defer conn.Close(ctx)
	var now time.Time
	return conn.QueryRow(ctx, "SELECT now()").Scan(&now)
}

// finishSecret moves AWSCURRENT to the version token.
func (f *singleUser) finishSecret(ctx context.Context, arn, token string, versions map[string][]string) error {
	var current string
	for id, stages := range versions {
		if slices.Contains(stages, "AWSCURRENT") {
			current = id
		}
	}
	if current == token {
		return nil
	}
	_, err := f.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(arn), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: aws.String(token), RemoveFromVersionId: aws.String(current),
	})
	return err
}

// secret returns the value of the secret arn's version labelled stage
// (and with the id token, unless ""), checked as the template's
// get_secret_dict checks it.
func (f *singleUser) secret(ctx context.Context, arn, stage, token string) (map[string]any, error) {
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String(stage)}
	if token != "" {
		in.VersionId = aws.String(token)
	}
	out, err := f.sm.GetSecretValue(ctx, in)
	if err != nil {
		return nil, err
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &d); err != nil {
		return nil, fmt.Errorf("the %s value of %s is not a JSON object: %w", stage, arn, err)
	}
	for _, field := range []string{"host", "username", "password"} {
		if _, ok := d[field].(string); !ok {
			return nil, fmt.Errorf("%s key is missing from secret JSON", field)
		}
	}
	if e := d["engine"]; e != "postgres" && e != "aurora-postgresql" {
		return nil, fmt.Errorf("database engine must be set to 'postgres' in order to use this rotation lambda")
	}
	return d, nil
}

// connect logs into the database the secret value d names, as the
// template's get_connection does: port 5432 and database postgres unless
// d names others.
func connect(ctx context.Context, d map[string]any) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig("sslmode=disable connect_timeout=5")
	if err != nil {
		return nil, err
	}
	cfg.Host, _ = d["host"].(string)
	cfg.User, _ = d["username"].(string)
	cfg.Password, _ = d["password"].(string)
	cfg.Port, cfg.Database = 5432, "postgres"
	switch p := d["port"].(type) {
	case float64: // as JSON decodes it
		cfg.Port = uint16(p)
	case int:
		cfg.Port = uint16(p)
	case string:
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("port %q: %w", p, err)
		}
		cfg.Port = uint16(n)
	}
	if db, ok := d["dbname"].(string); ok {
		cfg.Database = db
	}
	return pgx.ConnectConfig(ctx, cfg)
}
