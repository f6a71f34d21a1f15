module github.com/stagelabel/stagelabel

go 1.26
