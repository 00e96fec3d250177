package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// Paging limits of list operations.
const (
	defaultPageSize = 20
	maxPageSize     = 1000
)

// Page is the process API's page object, answered by its list operations:
// the rows of one page, and where that page stands in the whole list.
type Page[T any] struct {
	Content       []T   `json:"content"`
	TotalElements int64 `json:"totalElements"`
	TotalPages    int   `json:"totalPages"`
	Number        int   `json:"number"`
	Size          int   `json:"size"`
}

// NewPage builds the page object for rows out of total, as asked for by p.
func NewPage[T any](rows []T, total int64, p workflow.Paging) Page[T] {
	if rows == nil {
		rows = []T{}
	}
	pages := 0
	if p.Size > 0 {
		pages = int((total + int64(p.Size) - 1) / int64(p.Size))
	}
	return Page[T]{Content: rows, TotalElements: total, TotalPages: pages, Number: p.Page, Size: p.Size}
}

// pageableParams documents the Pageable query parameters of list operations.
var pageableParams = []Param{
	{Name: "page", Type: "integer", Description: "Page number, from 0."},
	{Name: "size", Type: "integer", Description: "Page size, 1 to 1000 (default 20)."},
	{Name: "sort", Description: "field,asc or field,desc; may repeat."},
}

// parsePageable reads page, size and sort from the query. sortable maps the
// sort field names clients may use to what the store understands; any other
// field is a 400 naming `sort`.
func parsePageable(c *fiber.Ctx, sortable map[string]string) (workflow.Paging, error) {
	p := workflow.Paging{Size: defaultPageSize}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, countersign.FieldErrorf(countersign.EINVALID, "page", "page must be an integer from 0")
		}
		p.Page = n
	}
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return p, countersign.FieldErrorf(countersign.EINVALID, "size", "size must be an integer from 1 to %d", maxPageSize)
		}
		p.Size = n
	}
	if p.Page > (1<<31-1)/p.Size {
		return p, countersign.FieldErrorf(countersign.EINVALID, "page", "page is too large")
	}
	for _, raw := range c.Context().QueryArgs().PeekMulti("sort") {
		field, dir, _ := strings.Cut(string(raw), ",")
		column, ok := sortable[field]
		if !ok {
			return p, countersign.FieldErrorf(countersign.EINVALID, "sort", "cannot sort by %q", field)
		}
		order := workflow.SortOrder{Field: column}
		switch strings.ToLower(dir) {
		case "", "asc":
		case "desc":
			order.Desc = true
		default:
			return p, countersign.FieldErrorf(countersign.EINVALID, "sort", "sort direction must be asc or desc")
		}
		p.Sort = append(p.Sort, order)
	}
	return p, nil
}
