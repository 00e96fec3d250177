package console

// eventTypes lists the catalogue: each type's description, JSON Schema and
// example payload.
func (c *Console) eventTypes(k *call) error {
	cat, err := k.catalog()
	if err != nil {
		return err
	}
	k.render(200, "event_types", "Event types", cat)
	return nil
}
