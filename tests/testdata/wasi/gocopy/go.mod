module gocopy

go 1.21
