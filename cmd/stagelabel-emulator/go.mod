module github.com/stagelabel/stagelabel/cmd/stagelabel-emulator

go 1.26

replace github.com/stagelabel/stagelabel => ../../

require github.com/stagelabel/stagelabel v0.0.0
