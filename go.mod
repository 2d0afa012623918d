module github.com/evalrun/evalrun

go 1.26
