module github.com/stagelabel/stagelabel/cmd/stagelabel-emulator

go 1.26

replace (
	github.com/stagelabel/stagelabel => ../../
	github.com/stagelabel/stagelabel/boltstate => ../../boltstate
)

require (
	github.com/google/go-cmp v0.7.0
	github.com/stagelabel/stagelabel v0.0.0
	github.com/stagelabel/stagelabel/boltstate v0.0.0
)

require (
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
