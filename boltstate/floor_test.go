package boltstate

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

type fake int

func (f fake) Load(yield func(store.SecretSnapshot, store.Revision) error) error {
	now := time.Now()
	for i := range int(f) {
		name := fmt.Sprintf("s%07d", i)
		v := fmt.Sprintf("%032x-abcd", i)
		val := "twenty-bytes-value!!"
		s := store.SecretSnapshot{Name: name, ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-abcdef",
			Created: now, LastChanged: now, Versions: []store.VersionSnapshot{{VersionId: v, SecretString: &val, Created: now}},
			Labels: map[string]string{"AWSCURRENT": v}}
		if err := yield(s, store.Revision(i+1)); err != nil {
			return err
		}
	}
	return nil
}
func (f fake) Commit(store.Change) (store.Revision, error) { return 0, nil }

func rss() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var n int64
			fmt.Sscanf(strings.TrimSpace(l[6:]), "%d", &n)
			return n << 10
		}
	}
	return 0
}

func TestFloor(t *testing.T) {
	n := 1000000
	f := fake(n)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	start := time.Now()
	st, err := store.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&m)
	t.Logf("open %v, heap of store %d MB, rss %d MB", el, (m.HeapInuse-base)>>20, rss()>>20)
	runtime.KeepAlive(st)
}
