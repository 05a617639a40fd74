package store

// SetProgressChunk makes tracked writes report every n units, for a test.
func SetProgressChunk(n int) (restore func()) {
	old := progressChunk
	progressChunk = n
	return func() { progressChunk = old }
}

// SetSplitRows makes files of n rows or more read in two halves, for a
// test, on a machine of any number of cores.
func SetSplitRows(n int) (restore func()) {
	old, cores := splitRows, splitCores
	splitRows, splitCores = n, 2
	return func() { splitRows, splitCores = old, cores }
}
