module github.com/stagelabel/stagelabel/linearize

go 1.26

require (
	github.com/anishathalye/porcupine v1.3.1
	github.com/stagelabel/stagelabel v0.0.0
)

replace github.com/stagelabel/stagelabel => ../
