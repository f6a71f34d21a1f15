package store

import (
	"math"
	"strconv"
	"time"
)

// Time is a time member of an output. It is a [time.Time] that the AWS JSON
// protocol sends as seconds since the epoch, a JSON number with its
// fraction [D] (§W5, §W13). A zero Time is a member AWS leaves out; the members that
// hold one say so with omitzero.
type Time struct{ time.Time }

// MarshalJSON writes t as seconds since the epoch.
func (t Time) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(t.Unix())+float64(t.Nanosecond())/1e9, 'f', -1, 64), nil
}

// UnmarshalJSON reads seconds since the epoch, as [Time.MarshalJSON]
// writes them, to the microsecond.
func (t *Time) UnmarshalJSON(b []byte) error {
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	whole, frac := math.Modf(secs)
	t.Time = time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).UTC()
	return nil
}
