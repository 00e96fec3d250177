package storage

// NewKeyUsageOfSize starts a key-usage recorder that holds at most max keys.
func (ks *Keys) NewKeyUsageOfSize(max int) *KeyUsage { return ks.db.newKeyUsage(nil, max) }

// Size is how many keys the recorder holds in memory.
func (u *KeyUsage) Size() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.noted)
}
