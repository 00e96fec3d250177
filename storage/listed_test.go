package storage_test

// listed is one page of a list read as the tests look at it: its rows and the
// total the list has.
type listed[T any] struct {
	Content       []T
	TotalElements int64
}

// pageOf gathers the results of a list read into a listed.
func pageOf[T any](rows []T, total int64, err error) (listed[T], error) {
	return listed[T]{Content: rows, TotalElements: total}, err
}
