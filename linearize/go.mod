module github.com/stagelabel/stagelabel/linearize

go 1.26

require (
	github.com/anishathalye/porcupine v1.3.1
	github.com/stagelabel/stagelabel v0.0.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)

replace github.com/stagelabel/stagelabel => ../
