package api

import (
	"encoding/json"
	"sort"
)

// withKeywords returns schema raw narrowed by the keywords of extra: they
// replace the reflected ones but for type, and narrow the items' schema.
func withKeywords(raw json.RawMessage, extra map[string]any) json.RawMessage {
	if len(extra) == 0 {
		return raw
	}
	ms, ok := members(raw)
	if !ok {
		return raw
	}
	has := map[string]bool{}
	for _, m := range ms {
		has[m.key] = true
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "type" && has[k] {
			continue
		}
		v, _ := json.Marshal(extra[k])
		if k == "items" && has[k] { // narrow the items' schema too
			for i := range ms {
				if ms[i].key == "items" {
					ms[i].value = withKeywords(ms[i].value, extra[k].(map[string]any))
				}
			}
			continue
		}
		if has[k] { // the rule is narrower than the reflected keyword
			for i := range ms {
				if ms[i].key == k {
					ms[i].value = v
				}
			}
			continue
		}
		ms = append(ms, member{key: k, value: v})
	}
	return object(ms)
}

// withPropertyRules returns object schema raw with its properties narrowed by rules.
func withPropertyRules(raw json.RawMessage, rules map[string]map[string]any) json.RawMessage {
	if len(rules) == 0 {
		return raw
	}
	ms, ok := members(raw)
	if !ok {
		return raw
	}
	for i, m := range ms {
		if m.key != "properties" {
			continue
		}
		props, _ := members(m.value)
		for j := range props {
			props[j].value = withKeywords(props[j].value, rules[props[j].key])
		}
		ms[i].value = object(props)
	}
	return object(ms)
}
