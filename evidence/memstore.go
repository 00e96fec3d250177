package evidence

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// MemStore is a Store in memory, for tests and for tools that build a log
// from an export. It is safe for concurrent use.
type MemStore struct {
	mu     sync.Mutex
	nodes  map[string]map[NodeID][]byte
	leaves map[string][]Leaf
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{nodes: map[string]map[NodeID][]byte{}, leaves: map[string][]Leaf{}}
}

// Size implements Store.
func (m *MemStore) Size(_ context.Context, workspace string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(len(m.leaves[workspace])), nil
}

// Nodes implements Store.
func (m *MemStore) Nodes(_ context.Context, workspace string, ids []NodeID) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, ok := m.nodes[workspace][id]
		if !ok {
			return nil, fmt.Errorf("%w: (%d, %d)", ErrNodeMissing, id.Level, id.Index)
		}
		out[i] = append([]byte(nil), h...)
	}
	return out, nil
}

// PutNodes implements Store.
func (m *MemStore) PutNodes(_ context.Context, workspace string, nodes []Node) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.nodes[workspace]
	if w == nil {
		w = map[NodeID][]byte{}
		m.nodes[workspace] = w
	}
	for _, n := range nodes {
		if _, ok := w[n.ID]; ok {
			return fmt.Errorf("evidence: node (%d, %d) of %s already stored", n.ID.Level, n.ID.Index, workspace)
		}
		w[n.ID] = append([]byte(nil), n.Hash...)
	}
	return nil
}

// PutLeaf implements Store.
func (m *MemStore) PutLeaf(_ context.Context, leaf Leaf) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if got := uint64(len(m.leaves[leaf.Workspace])); leaf.Index != got {
		return fmt.Errorf("evidence: leaf %d of %s out of turn, next is %d", leaf.Index, leaf.Workspace, got)
	}
	m.leaves[leaf.Workspace] = append(m.leaves[leaf.Workspace], leaf)
	return nil
}

// ProcessSize implements Store.
func (m *MemStore) ProcessSize(ctx context.Context, workspace, processID string) (uint64, error) {
	l, err := m.ProcessLeaves(ctx, workspace, processID)
	return uint64(len(l)), err
}

// ProcessLeaves implements Store.
func (m *MemStore) ProcessLeaves(_ context.Context, workspace, processID string) ([]Leaf, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Leaf
	for _, l := range m.leaves[workspace] {
		if l.ProcessID == processID {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}
