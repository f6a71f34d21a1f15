package store_test

import "fmt"

// tok returns the ClientRequestToken (and version id) number n.
func tok(n int) string { return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n) }
