package console

import (
	"net/url"
	"reflect"
	"strconv"
	"time"
)

// usageRow is one figure of the consumption report.
type usageRow struct {
	Name  string
	Value int
}

type usageData struct {
	From, To string
	Rows     []usageRow
	Chart    chart
	Message  string
}

func (c *Console) usage(k *call) error {
	now := c.now().UTC()
	in := k.r.URL.Query()
	d := usageData{From: in.Get("from"), To: in.Get("to")}
	if d.From == "" {
		d.From = now.AddDate(0, 0, -7).Format("2006-01-02")
	}
	if d.To == "" {
		d.To = now.AddDate(0, 0, 1).Format("2006-01-02")
	}
	from, err1 := time.Parse("2006-01-02", d.From)
	to, err2 := time.Parse("2006-01-02", d.To)
	if err1 != nil || err2 != nil {
		d.Message = "The period needs two dates."
		k.render(422, "usage", "Usage", d)
		return nil
	}
	var report map[string]any
	q := url.Values{"created_gt": {from.Format(time.RFC3339)}, "created_lt": {to.Format(time.RFC3339)}}
	if err := k.api("GET", "/v1/consumptions/summary", q, nil, &report); err != nil {
		if d.Message, err = formError(err); err != nil {
			return err
		}
		k.render(422, "usage", "Usage", d)
		return nil
	}
	d.Rows = usageRows(report)
	var names []string
	var values []int
	for _, r := range d.Rows { // the chart shows what was counted; the table, every figure
		if r.Value > 0 {
			names, values = append(names, r.Name), append(values, r.Value)
		}
	}
	d.Chart = horizontalBars(names, values)
	k.render(200, "usage", "Usage", d)
	return nil
}

// usageFields are the report's counters, in the report's order.
var usageFields = []string{"started_transactions", "completed_transactions", "cancelled_transactions",
	"expired_transactions", "visas", "read_documents", "seals", "sealed_documents", "reviews", "captures",
	"signatures", "signed_documents", "timestamps", "standalone_seals", "pvid_identities_analysed",
	"pvid_identities_validated", "pvid_identities_rejected", "certificate_creation_with_pvid",
	"web_identities_analysed", "web_identities_validated", "web_identities_rejected", "certificate_creation_with_web"}

func usageRows(report map[string]any) []usageRow {
	var rows []usageRow
	for _, f := range usageFields {
		if v, ok := report[f]; ok && reflect.TypeOf(v).Kind() == reflect.Float64 {
			rows = append(rows, usageRow{Name: f, Value: int(v.(float64))})
		}
	}
	return rows
}

func itoa(n int) string { return strconv.Itoa(n) }
