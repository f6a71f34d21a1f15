package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stagelabel/stagelabel"
	"github.com/stagelabel/stagelabel/internal/check"
	"github.com/stagelabel/stagelabel/store"
)

// at returns the UTC time of the given date and hour.
func at(month time.Month, day, hour int) time.Time {
	year := 2026
	if month < time.November {
		year = 2027
	}
	return time.Date(year, month, day, hour, 0, 0, 0, time.UTC)
}

// TestScheduleNext checks the next window after a rotation at t0 (Sunday
// 22 November 2026, 10:30 UTC) of the rate and cron expressions of the
// User Guide's 'Rotation schedules' and of its wildcards (§RT16, §RT17).
func TestScheduleNext(t *testing.T) {
	tests := []struct {
		name  string
		rules store.RotationRules
		want  store.Window
	}{
		{"AutomaticallyAfterDays 1: the next UTC day", store.RotationRules{AutomaticallyAfterDays: ptr(int64(1))}, store.Window{at(11, 23, 0), at(11, 24, 0)}},
		{"rate(1 day)", store.RotationRules{ScheduleExpression: "rate(1 day)"}, store.Window{at(11, 23, 0), at(11, 24, 0)}},
		{"rate(10 days)", store.RotationRules{ScheduleExpression: "rate(10 days)"}, store.Window{at(12, 2, 0), at(12, 3, 0)}},
		{"rate(8 days) with a window of 3h from midnight", store.RotationRules{ScheduleExpression: "rate(8 days)", Duration: "3h"}, store.Window{at(11, 30, 0), at(11, 30, 3)}},
		{"rate(4 hours): the first hour 4 hours on, for an hour", store.RotationRules{ScheduleExpression: "rate(4 hours)"}, store.Window{at(11, 22, 15), at(11, 22, 16)}},
		{"rate(12 hours) with 2h", store.RotationRules{ScheduleExpression: "rate(12 hours)", Duration: "2h"}, store.Window{at(11, 22, 23), at(11, 23, 1)}},
		{"cron(0 4/12 * * ? *): 4:00 and 16:00", store.RotationRules{ScheduleExpression: "cron(0 4/12 * * ? *)"}, store.Window{at(11, 22, 16), at(11, 22, 17)}},
		{"cron(0 2/10 * * ? *): 2:00, 12:00, 22:00", store.RotationRules{ScheduleExpression: "cron(0 2/10 * * ? *)"}, store.Window{at(11, 22, 12), at(11, 22, 13)}},
		{"cron(0 8/8 * * ? *) with 4h", store.RotationRules{ScheduleExpression: "cron(0 8/8 * * ? *)", Duration: "4h"}, store.Window{at(11, 22, 16), at(11, 22, 20)}},
		{"cron(0 8 1/7 * ? *): days 1, 8, 15, 22, 29", store.RotationRules{ScheduleExpression: "cron(0 8 1/7 * ? *)"}, store.Window{at(11, 29, 8), at(11, 30, 0)}},
		{"cron(0 0 ? * SUN#1 *): the first Sunday", store.RotationRules{ScheduleExpression: "cron(0 0 ? * SUN#1 *)"}, store.Window{at(12, 6, 0), at(12, 7, 0)}},
		{"cron(0 16 L * ? *): the last day of the month", store.RotationRules{ScheduleExpression: "cron(0 16 L * ? *)"}, store.Window{at(11, 30, 16), at(12, 1, 0)}},
		{"cron(0 10 ? * 6L *): the last Friday", store.RotationRules{ScheduleExpression: "cron(0 10 ? * 6L *)"}, store.Window{at(11, 27, 10), at(11, 28, 0)}},
		{"cron(0 8 1 * ? *) with 3h", store.RotationRules{ScheduleExpression: "cron(0 8 1 * ? *)", Duration: "3h"}, store.Window{at(12, 1, 8), at(12, 1, 11)}},
		{"cron(0 9 ? * MON-FRI *)", store.RotationRules{ScheduleExpression: "cron(0 9 ? * MON-FRI *)"}, store.Window{at(11, 23, 9), at(11, 24, 0)}},
		{"cron(0 9 ? * 2-6 *), the same by numbers", store.RotationRules{ScheduleExpression: "cron(0 9 ? * 2-6 *)"}, store.Window{at(11, 23, 9), at(11, 24, 0)}},
		{"cron(0 0 1 JAN,APR,JUL,OCT ? *)", store.RotationRules{ScheduleExpression: "cron(0 0 1 JAN,APR,JUL,OCT ? *)"}, store.Window{at(1, 1, 0), at(1, 2, 0)}},
		{"cron(0 12 ? * 1 *): Sundays, today's window still to open", store.RotationRules{ScheduleExpression: "cron(0 12 ? * 1 *)"}, store.Window{at(11, 22, 12), at(11, 23, 0)}},
		{"cron(0 10 ? * L *): Saturdays", store.RotationRules{ScheduleExpression: "cron(0 10 ? * L *)"}, store.Window{at(11, 28, 10), at(11, 29, 0)}},
		{"no schedule", store.RotationRules{Duration: "2h"}, store.Window{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := store.ParseSchedule(tt.rules)
			if err != nil {
				t.Fatalf("ParseSchedule(%+v) = %v", tt.rules, err)
			}
			if diff := cmp.Diff(tt.want, s.Next(t0)); diff != "" {
				t.Errorf("Next(t0) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScheduleRefused checks the schedules refused, each
// InvalidParameterException (§RT16).
func TestScheduleRefused(t *testing.T) {
	tests := []struct {
		name  string
		rules store.RotationRules
	}{
		{"both AutomaticallyAfterDays and ScheduleExpression", store.RotationRules{AutomaticallyAfterDays: ptr(int64(1)), ScheduleExpression: "rate(1 day)"}},
		{"more often than every four hours", store.RotationRules{ScheduleExpression: "rate(3 hours)"}},
		{"cron less than four hours apart across midnight", store.RotationRules{ScheduleExpression: "cron(0 0,22 * * ? *)"}},
		{"beyond 999 days", store.RotationRules{ScheduleExpression: "rate(1000 days)"}},
		{"a rate of zero", store.RotationRules{ScheduleExpression: "rate(0 days)"}},
		{"a rate in weeks", store.RotationRules{ScheduleExpression: "rate(1 week)"}},
		{"a rate without a unit", store.RotationRules{ScheduleExpression: "rate(10)"}},
		{"neither rate nor cron", store.RotationRules{ScheduleExpression: "every day"}},
		{"minutes other than 0", store.RotationRules{ScheduleExpression: "cron(30 8 * * ? *)"}},
		{"a year", store.RotationRules{ScheduleExpression: "cron(0 8 * * ? 2027)"}},
		{"neither day field ?", store.RotationRules{ScheduleExpression: "cron(0 8 * * * *)"}},
		{"both day fields ?", store.RotationRules{ScheduleExpression: "cron(0 8 ? * ? *)"}},
		{"five fields", store.RotationRules{ScheduleExpression: "cron(0 8 * * ?)"}},
		{"hour 24", store.RotationRules{ScheduleExpression: "cron(0 24 * * ? *)"}},
		{"day 32", store.RotationRules{ScheduleExpression: "cron(0 8 32 * ? *)"}},
		{"a backward range", store.RotationRules{ScheduleExpression: "cron(0 8 ? * FRI-MON *)"}},
		{"W, not in the dialect", store.RotationRules{ScheduleExpression: "cron(0 8 15W * ? *)"}},
		{"every hour", store.RotationRules{ScheduleExpression: "cron(0 * * * ? *)"}},
		{"hours two apart", store.RotationRules{ScheduleExpression: "cron(0 8,10 * * ? *)"}},
		{"a sixth Monday", store.RotationRules{ScheduleExpression: "cron(0 8 ? * MON#6 *)"}},
		{"a window of 0h", store.RotationRules{ScheduleExpression: "rate(1 day)", Duration: "0h"}},
		{"a window of 25h", store.RotationRules{ScheduleExpression: "rate(2 days)", Duration: "25h"}},
		{"a window into the next day", store.RotationRules{ScheduleExpression: "cron(0 22 * * ? *)", Duration: "3h"}},
		{"a window into the next window", store.RotationRules{ScheduleExpression: "rate(4 hours)", Duration: "5h"}},
		{"a window into the next cron window", store.RotationRules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "13h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.ParseSchedule(tt.rules)
			check.Err(t, err, stagelabel.ErrInvalidParameter, "")
		})
	}
}

// FuzzParseSchedule checks that ParseSchedule never panics, and that a
// schedule it accepts gives windows that open after the time given, on
// the hour, and close after they open.
func FuzzParseSchedule(f *testing.F) {
	for _, e := range []string{"rate(4 hours)", "rate(10 days)", "cron(0 4/12 * * ? *)", "cron(0 0 ? * SUN#1 *)", "cron(0 16 L * ? *)", "cron(0 10 ? * 6L *)", "cron(0 0 29 2 ? *)", "cron(0 0 31 2 ? *)"} {
		f.Add(e, "", int64(0))
	}
	f.Add("rate(1 day)", "3h", int64(1e9))
	f.Fuzz(func(t *testing.T, expr, duration string, unix int64) {
		s, err := store.ParseSchedule(store.RotationRules{ScheduleExpression: expr, Duration: duration})
		if err != nil {
			return
		}
		last := time.Unix(unix%(1<<34), 0).UTC()
		w := s.Next(last)
		if w.IsZero() {
			return
		}
		if !w.Open.After(last.Add(-24*time.Hour)) || w.Open.Minute() != 0 || w.Open.Second() != 0 || !w.Close.After(w.Open) {
			t.Errorf("ParseSchedule(%q, %q).Next(%v) = %v", expr, duration, last, w)
		}
	})
}

// TestNextRotationDate checks NextRotationDate in DescribeSecret and
// ListSecrets: the last second of the next window, once a schedule is
// set, none while rotation is off (§RT18).
func TestNextRotationDate(t *testing.T) {
	st, c := newStore()
	create(t, st, "db", 1)
	next := func() time.Time {
		t.Helper()
		d, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
		if err != nil {
			t.Fatal(err)
		}
		l, err := st.ListSecrets(store.ListSecretsInput{})
		if err != nil || len(l.SecretList) != 1 || !l.SecretList[0].NextRotationDate.Equal(d.NextRotationDate.Time) {
			t.Fatalf("ListSecrets() = %+v, %v; want the NextRotationDate %v of DescribeSecret", l, err, d.NextRotationDate)
		}
		return d.NextRotationDate.Time
	}
	if got := next(); !got.IsZero() {
		t.Errorf("NextRotationDate = %v before a schedule, want none", got)
	}
	// Rotation configured at t0 without rotating: the day after.
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", RotationLambdaARN: fn, RotateImmediately: ptr(false),
		RotationRules: &store.RotationRules{AutomaticallyAfterDays: ptr(int64(1))}}); err != nil {
		t.Fatal(err)
	}
	if got, want := next(), at(11, 24, 0).Add(-time.Second); !got.Equal(want) {
		t.Errorf("NextRotationDate = %v, want %v", got, want)
	}
	// A value put by hand counts as a rotation.
	c.Advance(36 * time.Hour)
	put(t, st, "db", 2)
	if got, want := next(), at(11, 25, 0).Add(-time.Second); !got.Equal(want) {
		t.Errorf("NextRotationDate after PutSecretValue = %v, want %v", got, want)
	}
	// A cron schedule, in hours, with a window.
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", RotateImmediately: ptr(false),
		RotationRules: &store.RotationRules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "2h"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := next(), at(11, 24, 4).Add(2*time.Hour-time.Second); !got.Equal(want) {
		t.Errorf("NextRotationDate of cron(0 4/12 * * ? *) = %v, want %v", got, want)
	}
	if _, err := st.CancelRotateSecret(store.CancelRotateSecretInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	if got := next(); !got.IsZero() {
		t.Errorf("NextRotationDate = %v after CancelRotateSecret, want none", got)
	}
}

// TestScheduleRefusedByRotateSecret checks that a schedule refused
// leaves the secret as it was (§RT16).
func TestScheduleRefusedByRotateSecret(t *testing.T) {
	st, _ := newStore()
	create(t, st, "db", 1)
	before := st.Snapshot()
	_, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", ClientRequestToken: tok(2), RotationLambdaARN: fn,
		RotationRules: &store.RotationRules{ScheduleExpression: "rate(1 hour)"}})
	check.Err(t, err, stagelabel.ErrInvalidParameter, `ScheduleExpression "rate(1 hour)": you can rotate a secret as often as every four hours.`)
	if diff := cmp.Diff(before, st.Snapshot()); diff != "" {
		t.Errorf("a refused schedule changed the store (-before +after):\n%s", diff)
	}
}

// TestRunDue checks the rotations that fall due: started when their
// window opens, once per window, and the next after a rotation ended
// (§RT19).
func TestRunDue(t *testing.T) {
	var c store.Clock
	r := &recorder{failAt: map[string]bool{}}
	r.st = store.New(store.WithMovingClock(&c), store.WithInvoker(store.Functions{fn: r.invoke}))
	st := r.st
	create(t, st, "db", 1)
	create(t, st, "other", 1)
	if _, err := st.RotateSecret(store.RotateSecretInput{SecretId: "db", RotationLambdaARN: fn, RotateImmediately: ptr(false),
		RotationRules: &store.RotationRules{ScheduleExpression: "rate(1 day)"}}); err != nil {
		t.Fatal(err)
	}
	st.Wait()
	r.steps() // the test of RotateImmediately false
	if got := st.RunDue(); len(got) != 0 {
		t.Errorf("RunDue() at once = %v, want nothing due", got)
	}
	// 49 hours on, the day after the configuration has begun: the rotation
	// runs within Advance.
	if _, err := c.Advance(49 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(allSteps, r.steps()); diff != "" {
		t.Errorf("steps of the due rotation mismatch (-want +got):\n%s", diff)
	}
	d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"})
	if d.LastRotatedDate.IsZero() || !d.NextRotationDate.After(c.Now()) {
		t.Errorf("after the due rotation: LastRotatedDate %v, NextRotationDate %v; want set, and after %v", d.LastRotatedDate, d.NextRotationDate, c.Now())
	}
	if got := len(stages(t, st, "db")); got != 2 {
		t.Errorf("versions labelled after the rotation: %d, want 2 (AWSPREVIOUS and AWSCURRENT)", got)
	}
	// Failing, a due rotation is not started again in its window.
	r.mu.Lock()
	r.failAt = map[string]bool{store.StepSet: true}
	r.mu.Unlock()
	if _, err := c.Advance(48 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(allSteps[:2], r.steps()); diff != "" {
		t.Errorf("steps of the failing rotation mismatch (-want +got):\n%s", diff)
	}
	if got := st.RunDue(); len(got) != 0 {
		t.Errorf("RunDue() again in the window = %v, want nothing", got)
	}
	if d, _ := st.DescribeSecret(store.DescribeSecretInput{SecretId: "db"}); !d.NextRotationDate.Before(c.Now()) {
		t.Errorf("NextRotationDate %v after a failed rotation, want it past (before %v)", d.NextRotationDate, c.Now())
	}
	// The next window reattempts the unfinished rotation, which now succeeds.
	r.mu.Lock()
	r.failAt = nil
	r.mu.Unlock()
	if _, err := c.Advance(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	events := r.events
	r.mu.Unlock()
	r.steps()
	pending := ""
	for id, ls := range stages(t, st, "db") {
		if slices.Contains(ls, "AWSCURRENT") {
			pending = id
		}
	}
	if len(events) != 4 || events[0].ClientRequestToken != pending {
		t.Errorf("the reattempt = %+v, want the four steps of the rotation to %s", events, pending)
	}
	if _, err := st.DescribeSecret(store.DescribeSecretInput{SecretId: "other"}); err != nil {
		t.Fatal(err)
	}
	if got := stages(t, st, "other"); len(got) != 1 {
		t.Errorf("the secret without a schedule was rotated: %v", got)
	}
}
