package countersign

// Pageable is the paging request of the process API: page from 0, size, and sort orders.
type Pageable struct {
	Page int
	Size int
	Sort []SortOrder
}

// SortOrder is one `sort=field,asc|desc` of a Pageable.
type SortOrder struct {
	Field string
	Desc  bool
}

// Paging limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 1000
)

// Offset is the number of rows before the page.
func (p Pageable) Offset() int { return p.Page * p.Size }

// Page is the process API's page object, answered by its list operations.
type Page[T any] struct {
	Content       []T   `json:"content"`
	TotalElements int64 `json:"totalElements"`
	TotalPages    int   `json:"totalPages"`
	Number        int   `json:"number"`
	Size          int   `json:"size"`
}

// NewPage builds the page object for content out of total rows.
func NewPage[T any](content []T, total int64, p Pageable) Page[T] {
	if content == nil {
		content = []T{}
	}
	pages := 0
	if p.Size > 0 {
		pages = int((total + int64(p.Size) - 1) / int64(p.Size))
	}
	return Page[T]{Content: content, TotalElements: total, TotalPages: pages, Number: p.Page, Size: p.Size}
}
