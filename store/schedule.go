package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stagelabel/stagelabel"
)

// Schedule is a rotation schedule, as RotationRules give it: when a
// secret's rotation windows open and how long each stays open, in UTC
// (docs/semantics.md §RT16). The zero Schedule has no window.
type Schedule struct {
	every  time.Duration // of a rate: the interval; 0 for a cron expression
	inDays bool          // a schedule in days, whose windows close by the end of the day; else in hours
	cron   *cron         // of a cron expression
	window time.Duration // the Duration given; 0 for the default
}

// Window is a rotation window: the rotation happens at some time from
// Open until Close.
type Window struct {
	Open, Close time.Time
}

// IsZero reports whether w is the zero Window: no window.
func (w Window) IsZero() bool { return w.Open.IsZero() }

// Limits of a schedule, from the User Guide's 'Rotation schedules' [D].
const (
	minRateHours = 4   // "You can rotate a secret as often as every four hours."
	maxRateDays  = 999 // "The maximum rotation period is 999 days."
)

// ParseSchedule returns the schedule of rules: AutomaticallyAfterDays N,
// the same as ScheduleExpression rate(N days); or ScheduleExpression, a
// rate(N hours|days) or a cron(Minutes Hours Day-of-month Month
// Day-of-week Year) expression of Secrets Manager's dialect; with the
// window's length, Duration "Nh", or by default an hour for a schedule
// in hours and the rest of the day for one in days (§RT16, §RT17). Rules
// with neither AutomaticallyAfterDays nor ScheduleExpression give the zero
// Schedule.
//
// Errors, InvalidParameterException with stagelabel's text [M]: both
// AutomaticallyAfterDays and ScheduleExpression [D that AWS refuses it];
// an expression that is neither a rate nor a cron expression of the
// dialect, a rate more often than every four hours or beyond 999 days; a
// window that is not 1h to 24h, runs into the next UTC day or, for a
// schedule in hours, into the next window [D].
func ParseSchedule(rules RotationRules) (Schedule, error) {
	var s Schedule
	switch {
	case rules.AutomaticallyAfterDays != nil && rules.ScheduleExpression != "":
		return Schedule{}, scheduleError("You can't specify both AutomaticallyAfterDays and ScheduleExpression.")
	case rules.AutomaticallyAfterDays != nil:
		days := *rules.AutomaticallyAfterDays
		if days < 1 || days > 1000 {
			return Schedule{}, scheduleError(fmt.Sprintf("AutomaticallyAfterDays %d is not between 1 and 1000.", days))
		}
		s = Schedule{every: time.Duration(days) * 24 * time.Hour, inDays: true}
	case strings.HasPrefix(rules.ScheduleExpression, "rate("):
		var err error
		if s, err = parseRate(rules.ScheduleExpression); err != nil {
			return Schedule{}, err
		}
	case strings.HasPrefix(rules.ScheduleExpression, "cron("):
		c, err := parseCron(rules.ScheduleExpression)
		if err != nil {
			return Schedule{}, err
		}
		s = Schedule{cron: c, inDays: c.hourCount() == 1}
	case rules.ScheduleExpression != "":
		return Schedule{}, scheduleError(fmt.Sprintf("ScheduleExpression %q is neither a rate() nor a cron() expression.", rules.ScheduleExpression))
	default:
		return Schedule{}, nil
	}
	if rules.Duration == "" {
		return s, nil
	}
	hours, err := strconv.Atoi(strings.TrimSuffix(rules.Duration, "h"))
	if err != nil || !strings.HasSuffix(rules.Duration, "h") || hours < 1 || hours > 24 {
		return Schedule{}, scheduleError(fmt.Sprintf("Duration %q is not a number of hours from 1h to 24h.", rules.Duration))
	}
	s.window = time.Duration(hours) * time.Hour
	switch {
	case s.cron != nil && s.cron.lastHour()+hours > 24:
		return Schedule{}, scheduleError(fmt.Sprintf("The rotation window of Duration %s runs into the next UTC day.", rules.Duration))
	case !s.inDays && s.window > s.gap():
		return Schedule{}, scheduleError(fmt.Sprintf("The rotation window of Duration %s runs into the next rotation window.", rules.Duration))
	}
	return s, nil
}

// MustParseSchedule is ParseSchedule for rules known to be valid: it
// panics on an error. For tests and literals.
func MustParseSchedule(rules RotationRules) Schedule {
	s, err := ParseSchedule(rules)
	if err != nil {
		panic(err)
	}
	return s
}

func scheduleError(msg string) error {
	return &stagelabel.Error{Op: "RotateSecret", Code: stagelabel.ErrInvalidParameter, Message: msg}
}

// parseRate parses rate(N hour|hours|day|days).
func parseRate(expr string) (Schedule, error) {
	bad := func(why string) (Schedule, error) {
		return Schedule{}, scheduleError(fmt.Sprintf("ScheduleExpression %q: %s", expr, why))
	}
	body, ok := strings.CutSuffix(strings.TrimPrefix(expr, "rate("), ")")
	n, unit, ok2 := strings.Cut(body, " ")
	value, err := strconv.Atoi(n)
	if !ok || !ok2 || err != nil || value < 1 || n[0] == '+' {
		return bad("a rate is rate(Value Unit), Value a positive integer.")
	}
	switch unit {
	case "hour", "hours":
		if value < minRateHours {
			return bad("you can rotate a secret as often as every four hours.")
		}
		if value > maxRateDays*24 {
			return bad("the maximum rotation period is 999 days.")
		}
		return Schedule{every: time.Duration(value) * time.Hour}, nil
	case "day", "days":
		if value > maxRateDays {
			return bad("the maximum rotation period is 999 days.")
		}
		return Schedule{every: time.Duration(value) * 24 * time.Hour, inDays: true}, nil
	}
	return bad("the unit of a rate is hour, hours, day or days.")
}

// gap returns the shortest time between two windows' openings of a
// schedule in hours.
func (s Schedule) gap() time.Duration {
	if s.cron != nil {
		return s.cron.gap()
	}
	return s.every
}

// IsZero reports whether s is the zero Schedule, which has no window.
func (s Schedule) IsZero() bool { return s.every == 0 && s.cron == nil }

// Next returns the first window of s after a rotation at last (or, for a
// secret never rotated, the time rotation was configured or its value
// last changed, §RT17): for a rate, the window that opens the interval
// after last, at the hour (in hours) or at midnight (in days); for a cron
// expression, the first window that opens after last. It returns the
// zero Window for the zero Schedule and for a cron expression that
// matches no day in the eight years after last.
func (s Schedule) Next(last time.Time) Window {
	last = last.UTC()
	var open time.Time
	switch {
	case s.cron != nil:
		open = s.cron.next(last)
		if open.IsZero() {
			return Window{}
		}
	case s.every == 0:
		return Window{}
	case s.inDays:
		open = midnight(last.Add(s.every))
	default:
		due := last.Add(s.every)
		if open = due.Truncate(time.Hour); open.Before(due) {
			open = open.Add(time.Hour) // windows open on the hour
		}
	}
	switch {
	case s.window > 0:
		return Window{open, open.Add(s.window)}
	case s.inDays:
		return Window{open, midnight(open).Add(24 * time.Hour)}
	}
	return Window{open, open.Add(time.Hour)}
}

// midnight returns the start of t's UTC day.
func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// cron is a cron expression of Secrets Manager's dialect: minutes 0,
// year *, and a set of hours, days of the month, months and days of the
// week.
type cron struct {
	hours  [24]bool
	months [13]bool // 1 to 12
	// Days of the month, when dow is nil: days 1 to 31, or lastDay.
	dom     [32]bool
	lastDay bool
	dow     *weekdays // nil when Day-of-month decides (Day-of-week is ?)
}

// weekdays is a Day-of-week field: a set of days (1 Sunday to 7 Saturday),
// or one day's last (nL) or kth (n#k) occurrence in the month.
type weekdays struct {
	set  [8]bool
	day  int // of last and nth: 1 to 7
	last bool
	nth  int // 1 to 5; 0 when not n#k
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// parseCron parses cron(Minutes Hours Day-of-month Month Day-of-week
// Year) of Secrets Manager's dialect (User Guide, 'Rotation schedules')
// [D]: Minutes 0; Hours 0-23 with , - * /; Day-of-month 1-31 with , - * ?
// / L; Month 1-12 or JAN-DEC with , - * /; Day-of-week 1-7 or SUN-SAT with
// , - * ? / L #; Year *. One of Day-of-month and Day-of-week is ? [M].
func parseCron(expr string) (*cron, error) {
	bad := func(why string) (*cron, error) {
		return nil, scheduleError(fmt.Sprintf("ScheduleExpression %q: %s", expr, why))
	}
	body, ok := strings.CutSuffix(strings.TrimPrefix(expr, "cron("), ")")
	fields := strings.Fields(body)
	if !ok || len(fields) != 6 {
		return bad("a cron expression is cron(Minutes Hours Day-of-month Month Day-of-week Year).")
	}
	minutes, hours, dom, month, dow, year := fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]
	if minutes != "0" {
		return bad("the Minutes field must be 0: rotation windows open on the hour.")
	}
	if year != "*" {
		return bad("the Year field must be *.")
	}
	c := &cron{}
	if err := parseField(hours, 0, 23, nil, c.hours[:]); err != nil {
		return bad("Hours: " + err.Error())
	}
	if err := parseField(month, 1, 12, monthNames, c.months[:]); err != nil {
		return bad("Month: " + err.Error())
	}
	switch {
	case dom == "?" && dow == "?", dom != "?" && dow != "?":
		return bad("one of Day-of-month and Day-of-week must be ?.")
	case dom == "L":
		c.lastDay = true
	case dom != "?":
		if err := parseField(dom, 1, 31, nil, c.dom[:]); err != nil {
			return bad("Day-of-month: " + err.Error())
		}
	default:
		w, err := parseWeekdays(dow)
		if err != nil {
			return bad("Day-of-week: " + err.Error())
		}
		c.dow = w
	}
	if c.hourCount() > 1 && c.gap() < minRateHours*time.Hour {
		return bad("you can rotate a secret as often as every four hours.")
	}
	return c, nil
}

// parseWeekdays parses a Day-of-week field but ?.
func parseWeekdays(f string) (*weekdays, error) {
	w := &weekdays{}
	if f == "L" {
		w.set[7] = true // the last day of the week, Saturday
		return w, nil
	}
	if day, ok := strings.CutSuffix(f, "L"); ok {
		n, err := value(day, 1, 7, dayNames)
		if err != nil {
			return nil, err
		}
		w.day, w.last = n, true
		return w, nil
	}
	if day, k, ok := strings.Cut(f, "#"); ok {
		n, err := value(day, 1, 7, dayNames)
		if err != nil {
			return nil, err
		}
		nth, err := value(k, 1, 5, nil)
		if err != nil {
			return nil, err
		}
		w.day, w.nth = n, nth
		return w, nil
	}
	if err := parseField(f, 1, 7, dayNames, w.set[:]); err != nil {
		return nil, err
	}
	return w, nil
}

// parseField sets in set the values from lo to hi that field f, a list of
// *, v, a-b, */s, v/s and a-b/s, names; names, if any, name the values
// from lo up.
func parseField(f string, lo, hi int, names []string, set []bool) error {
	for item := range strings.SplitSeq(f, ",") {
		span, step, stepped := strings.Cut(item, "/")
		by := 1
		if stepped {
			var err error
			if by, err = value(step, 1, hi, nil); err != nil {
				return err
			}
		}
		from, to := lo, hi
		switch a, b, ranged := strings.Cut(span, "-"); {
		case span == "*":
		case ranged:
			var err error
			if from, err = value(a, lo, hi, names); err != nil {
				return err
			}
			if to, err = value(b, lo, hi, names); err != nil {
				return err
			}
			if to < from {
				return fmt.Errorf("the range %s runs backwards", span)
			}
		default:
			var err error
			if from, err = value(span, lo, hi, names); err != nil {
				return err
			}
			if !stepped {
				to = from
			}
		}
		for v := from; v <= to; v += by {
			set[v] = true
		}
	}
	return nil
}

// value parses one value of a field, a number from lo to hi or one of
// names (case-insensitive), which name the values from lo up.
func value(s string, lo, hi int, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("%q is not a value from %d to %d", s, lo, hi)
	}
	return v, nil
}

// hourCount returns the number of hours of the day c opens a window at.
func (c *cron) hourCount() int {
	n := 0
	for _, h := range c.hours {
		if h {
			n++
		}
	}
	return n
}

// lastHour returns the last hour of the day c opens a window at.
func (c *cron) lastHour() int {
	last := 0
	for h, ok := range c.hours {
		if ok {
			last = h
		}
	}
	return last
}

// gap returns the shortest time between two of c's hours of one day, a
// day when it has one.
func (c *cron) gap() time.Duration {
	gap, first, prev := 24, -1, -1
	for h, ok := range c.hours {
		if ok {
			if prev >= 0 {
				gap = min(gap, h-prev)
			} else {
				first = h
			}
			prev = h
		}
	}
	if first >= 0 && prev != first {
		gap = min(gap, 24-prev+first) // across midnight, to the next day's first
	}
	return time.Duration(gap) * time.Hour
}

// matches reports whether c opens windows on day d (a UTC midnight).
func (c *cron) matches(d time.Time) bool {
	if !c.months[d.Month()] {
		return false
	}
	lastOfMonth := d.AddDate(0, 0, 1).Day() == 1
	if c.dow == nil {
		return c.lastDay && lastOfMonth || c.dom[d.Day()]
	}
	w := c.dow
	day := int(d.Weekday()) + 1 // 1 Sunday to 7 Saturday
	switch {
	case w.last:
		return day == w.day && d.AddDate(0, 0, 7).Month() != d.Month()
	case w.nth > 0:
		return day == w.day && (d.Day()-1)/7+1 == w.nth
	}
	return w.set[day]
}

// next returns the first time after t that c opens a window at, or the
// zero time when none opens in the eight years after t.
func (c *cron) next(t time.Time) time.Time {
	day := midnight(t)
	for range 8*366 + 1 {
		if c.matches(day) {
			for h, ok := range c.hours {
				if open := day.Add(time.Duration(h) * time.Hour); ok && open.After(t) {
					return open
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}
