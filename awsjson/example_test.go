package awsjson_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/store"
)

// The handler answers the JSON protocol as AWS does: a success with its
// members, an error with __type and Message.
func Example() {
	srv := httptest.NewServer(awsjson.New(store.New(store.WithRandom(rand.NewChaCha8([32]byte{})))))
	defer srv.Close()
	send := func(op, body string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "secretsmanager."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	send("CreateSecret", `{"Name":"db","ClientRequestToken":"11111111-1111-4111-8111-111111111111","SecretString":"pw"}`)
	send("UpdateSecretVersionStage", `{"SecretId":"db","VersionStage":"AWSCURRENT","RemoveFromVersionId":"11111111-1111-4111-8111-111111111111"}`)
	// Output:
	// 200 {"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-fLCUv2","Name":"db","VersionId":"11111111-1111-4111-8111-111111111111"}
	// 400 {"__type":"InvalidParameterException","Message":"You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."}
}
