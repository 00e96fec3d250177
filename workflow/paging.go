package workflow

// Paging is the window and order a list asks for: the page number from 0,
// the page size, and the sort orders. The stores read Offset and Size; the
// API turns their rows and total into its page object.
type Paging struct {
	Page int
	Size int
	Sort []SortOrder
}

// SortOrder is one sort key of a Paging: a field the store understands and
// its direction.
type SortOrder struct {
	Field string
	Desc  bool
}

// Offset is the number of rows before the page.
func (p Paging) Offset() int { return p.Page * p.Size }
