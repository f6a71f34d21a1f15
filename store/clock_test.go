package store_test

import (
	"testing"
	"time"

	"github.com/stagelabel/stagelabel/store"
)

func TestClock(t *testing.T) {
	var c store.Clock
	before := c.Now()
	now, err := c.Advance(25 * time.Hour)
	if err != nil || now.Sub(before) < 25*time.Hour {
		t.Errorf("Advance(25h) = %v, %v; want at least 25h after %v", now, err, before)
	}
	if _, err := c.Advance(-time.Second); err == nil {
		t.Error("Advance(-1s) moved the clock back")
	}
	if c.Now().Sub(before) < 25*time.Hour {
		t.Error("a refused Advance moved the clock")
	}
}
