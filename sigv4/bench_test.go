package sigv4_test

import (
	"testing"

	"github.com/stagelabel/stagelabel/sigv4"
)

// BenchmarkIdentify measures reading the credential of a signed request,
// which a front does on every request: it allocates nothing.
func BenchmarkIdentify(b *testing.B) {
	r := signed(devKey, now)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := sigv4.Identify(r); !ok {
			b.Fatal("no credential")
		}
	}
}

// BenchmarkVerify measures checking a signed GetSecretValue request: the
// canonical request, its hash, the derived key (five HMACs) and the
// signature.
func BenchmarkVerify(b *testing.B) {
	creds, err := sigv4.NewCredentials(devKey)
	if err != nil {
		b.Fatal(err)
	}
	v := sigv4.Verifier{Credentials: creds, Service: "secretsmanager", Now: nowFunc}
	r := signed(devKey, now)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := v.Verify(r, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}
