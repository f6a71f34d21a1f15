package awsjson_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/awsjson"
	"github.com/stagelabel/stagelabel/sigv4"
	"github.com/stagelabel/stagelabel/store"
)

// BenchmarkFront measures UpdateSecretVersionStage through the handler as
// BenchmarkHandler's layer=handler does, with each of the front's checks:
// none (today's handler), the Host check, the identity read from an
// unchecked signature on every request (WithIdentity), that identity's
// namespace looked up on every request as the emulator does (Store.In;
// the requests are signed in eu-west-1, whose namespace holds the
// secrets), and the signature checked (WithCredentials). Each request is
// signed; what each adds to front=none is its cost.
func BenchmarkFront(b *testing.B) {
	def := awsjson.Identity{Account: "123456789012", Region: "us-east-1"}
	for _, c := range []struct {
		name string
		opts func(st *store.Store) []awsjson.Option
	}{
		{"front=none", func(*store.Store) []awsjson.Option { return nil }},
		{"front=hosts", func(*store.Store) []awsjson.Option { return []awsjson.Option{awsjson.WithHosts("emu.internal")} }},
		{"front=identity", func(st *store.Store) []awsjson.Option {
			return []awsjson.Option{awsjson.WithIdentity(def, func(awsjson.Identity) (*store.Store, error) { return st, nil })}
		}},
		{"front=namespaces", func(st *store.Store) []awsjson.Option {
			west, err := st.In(store.Namespace{Account: def.Account, Region: "eu-west-1"})
			if err != nil {
				b.Fatal(err)
			}
			seed(b, west, 2)
			return []awsjson.Option{awsjson.WithIdentity(def, func(id awsjson.Identity) (*store.Store, error) {
				return st.In(store.Namespace{Account: id.Account, Region: id.Region})
			})}
		}},
		{"front=credentials", func(*store.Store) []awsjson.Option {
			return []awsjson.Option{awsjson.WithCredentials(credentials(b))}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			_, st := seeded(b, 2)
			h := awsjson.New(st, c.opts(st)...)
			bodies := moves("s1")
			// One signed request for each body, signed now: valid for the
			// benchmark's few seconds.
			var headers [2]http.Header
			for k, body := range bodies {
				r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				r.Host = "127.0.0.1:4566"
				r.Header.Set("X-Amz-Target", "secretsmanager.UpdateSecretVersionStage")
				sigv4.Sign(r, body, devKey, "eu-west-1", "secretsmanager", time.Now())
				headers[k] = r.Header
			}
			req := httptest.NewRequest(http.MethodPost, "/", nil)
			req.Host = "127.0.0.1:4566"
			var body bytes.Reader
			w := &discard{h: http.Header{}}
			j := 0
			b.ReportAllocs()
			for b.Loop() {
				body.Reset(bodies[j%2])
				req.Body = io.NopCloser(&body)
				req.Header = headers[j%2]
				clear(w.h)
				w.code = 0
				h.ServeHTTP(w, req)
				if w.code != 0 && w.code != 200 {
					b.Fatalf("status %d", w.code)
				}
				j++
			}
		})
	}
}
